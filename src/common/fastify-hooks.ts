import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/**
 * The Fastify instance under the application, for a module that installs its own hooks in
 * onModuleInit; undefined in a context without HTTP (the keys CLI). Fastify reads its hooks
 * when it gets ready (at listen), so routes registered before the hook get it too.
 */
export function fastifyOf(host: HttpAdapterHost): FastifyInstance | undefined {
  // The adapter is absent in an application context without HTTP.
  return host.httpAdapter?.getInstance<FastifyInstance>();
}
