import { Module, OnModuleInit, RequestMethod } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { fastifyOf } from '../common/fastify-hooks';
import { installRequestLog } from '../common/request-log.hook';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricsService } from '../metrics/metrics.service';

/**
 * nestjs-pino on top of Fastify's own pino logger (createApp hands Fastify the root logger
 * from root-logger.ts): `useExisting` binds each request's logger (a child carrying `reqId`)
 * to the request's async context, so whatever Nest or a service logs while handling a
 * request carries its id. The request log itself is written by common/request-log.hook.ts,
 * installed here; each finished request is also counted in the metrics.
 */
@Module({
  imports: [
    LoggerModule.forRoot({
      useExisting: true,
      forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    }),
    MetricsModule,
  ],
})
export class LoggingModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = fastifyOf(this.adapterHost);
    if (fastify) installRequestLog(fastify, { onOutcome: (o) => this.metrics.observe(o) });
  }
}
