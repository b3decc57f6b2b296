import { Controller, Get, Header, Req } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import type { FastifyRequest } from 'fastify';
import { ApiKeysService } from '../auth/api-keys.service';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { Public } from '../auth/public.decorator';
import type { AllConfig } from '../config/config.types';
import { MetricsService } from './metrics.service';

/**
 * `GET /metrics`, Prometheus' text format. Not a node (no envelope on success, not in
 * /openapi.json). It needs a valid API key of any role (X-API-Key or Authorization: Bearer,
 * as a scraper's `authorization` setting sends it), unless METRICS_PUBLIC=true.
 */
@ApiExcludeController()
@Controller()
export class MetricsController {
  private readonly isPublic: boolean;

  constructor(
    private readonly metrics: MetricsService,
    private readonly keys: ApiKeysService,
    config: ConfigService<AllConfig, true>,
  ) {
    this.isPublic = config.get('app', { infer: true }).metricsPublic;
  }

  @Get('metrics')
  @Public() // the key check below depends on METRICS_PUBLIC
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() request: FastifyRequest): Promise<string> {
    if (!this.isPublic) await this.authenticate(request);
    return this.metrics.metrics();
  }

  private async authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers['x-api-key'];
    const auth = request.headers.authorization;
    const presented =
      typeof header === 'string' && header
        ? header
        : typeof auth === 'string' && /^Bearer\s+\S+$/i.test(auth)
          ? auth.replace(/^Bearer\s+/i, '')
          : undefined;
    if (!presented) {
      throw new AuthError(AuthErrorCode.Unauthenticated, 'an API key is required for /metrics (or set METRICS_PUBLIC=true)');
    }
    const identity = await this.keys.verify(presented, request);
    if (!identity) throw new AuthError(AuthErrorCode.Unauthenticated, 'the API key is not valid (unknown or revoked)');
    request.apiKey = identity;
  }
}
