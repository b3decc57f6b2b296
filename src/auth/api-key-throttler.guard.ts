import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';

/** Rate limits per API key (per client address for requests without one). */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as FastifyRequest;
    return Promise.resolve(request.apiKey ? `key:${request.apiKey.name}` : `ip:${request.ip}`);
  }
}
