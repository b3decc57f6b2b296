import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

const SECRET_PARAMS = new Set(['password', 'api_key']);

/** The URL with the values of secret parameters replaced by `***`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      return SECRET_PARAMS.has(name.toLowerCase()) && eq >= 0 ? `${rawName}=***` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/**
 * One line per request: method, URL (secrets redacted), status, key name, time. Headers
 * (X-API-Key, Authorization) are never logged.
 */
export function installRequestLog(fastify: FastifyInstance): void {
  const logger = new Logger('HTTP');
  fastify.addHook('onResponse', async (request, reply) => {
    const key = request.apiKey?.name ?? '-';
    logger.log(
      `${request.method} ${redactUrl(request.url)} ${reply.statusCode} key=${key} ${reply.elapsedTime.toFixed(1)}ms`,
    );
  });
}
