import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { fastifyOf } from '../common/fastify-hooks';
import { installRequestLog } from '../common/request-log.hook';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricsService } from '../metrics/metrics.service';

/**
 * Installs the request log (common/request-log.hook.ts: one line per request, with `reqId`);
 * each finished request is also counted in the metrics. What a service or the exception
 * filter logs while it handles a request carries that request's `reqId` because it is written
 * through the request's logger, handed over explicitly (logging/scoped-logger.ts): there is
 * no implicit async context (AsyncLocalStorage hooks every promise of the process).
 */
@Module({ imports: [MetricsModule] })
export class LoggingModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = fastifyOf(this.adapterHost);
    if (!fastify) return;
    installRequestLog(fastify, { onOutcome: (o) => this.metrics.observe(o) });
  }
}
