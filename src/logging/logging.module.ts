import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
// nestjs-pino's request context (not in its index): what its Logger reads the request's logger from.
import { storage, Store } from 'nestjs-pino/storage';
import { fastifyOf } from '../common/fastify-hooks';
import { installRequestLog } from '../common/request-log.hook';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricsService } from '../metrics/metrics.service';

/**
 * Binds each request's logger (Fastify's child of the root logger from root-logger.ts,
 * carrying `reqId`) to the request's async context, so that whatever Nest or a service logs
 * while handling a request (through nest-logger.ts, nestjs-pino's Logger) carries its id.
 * This is what nestjs-pino's LoggerModule does with `useExisting`, as one Fastify hook
 * instead of a Nest middleware run through @fastify/middie. The request log itself is
 * written by common/request-log.hook.ts, installed here; each finished request is also
 * counted in the metrics.
 */
export function installLogContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    // Fastify runs the remaining hooks and the handler from done(): inside the context.
    // Fastify's request loggers are pino children (createApp hands Fastify the root pino logger).
    storage.run(new Store(request.log as Logger), done);
  });
}

@Module({ imports: [MetricsModule] })
export class LoggingModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = fastifyOf(this.adapterHost);
    if (!fastify) return;
    installLogContext(fastify);
    installRequestLog(fastify, { onOutcome: (o) => this.metrics.observe(o) });
  }
}
