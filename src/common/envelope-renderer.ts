import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply } from 'fastify';
import type { AllConfig } from '../config/config.types';
import { ProblemEnvelope, statusOf } from './envelope';

/** The one renderer of problem envelopes; every exception filter sends through it. */
@Injectable()
export class EnvelopeRenderer {
  private readonly legacy200: boolean;

  constructor(config: ConfigService<AllConfig, true>) {
    this.legacy200 = config.get('app', { infer: true }).legacyHttp200;
  }

  status(envelope: ProblemEnvelope): number {
    return this.legacy200 ? 200 : statusOf(envelope);
  }

  send(reply: FastifyReply, envelope: ProblemEnvelope, headers: Record<string, string> = {}): void {
    void reply.status(this.status(envelope)).headers(headers).header('content-type', 'application/json; charset=utf-8').send(envelope);
  }
}
