import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

/**
 * nestjs-pino on top of Fastify's own pino logger (createApp hands Fastify the root logger
 * from root-logger.ts): `useExisting` binds each request's logger (a child carrying `reqId`)
 * to the request's async context, so whatever Nest or a service logs while handling a
 * request carries its id. The request log itself is written by common/request-log.hook.ts.
 */
@Module({
  imports: [
    LoggerModule.forRoot({
      useExisting: true,
      forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    }),
  ],
})
export class LoggingModule {}
