import helmet, { FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** kamprov's security headers: helmet's defaults with a CSP Swagger UI still works under. */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
    },
  },
};

/**
 * The headers @fastify/helmet sends with `options`, computed once: it is registered on a
 * throwaway Fastify instance and asked once. (@fastify/helmet builds helmet's middleware,
 * CSP parsing included, again on every request; kamprov's headers never vary by request.)
 */
export async function securityHeaders(options: FastifyHelmetOptions = HELMET_OPTIONS): Promise<[string, string][]> {
  const probe = Fastify({ logger: false });
  try {
    await probe.register(helmet, options);
    probe.get('/', (_request, reply) => reply.send(''));
    const seen: [string, string][] = [];
    probe.addHook('onSend', async (_request, reply, payload) => {
      // As helmet spelled them (its headers are set on the raw response).
      const raw = reply.raw as typeof reply.raw & { getRawHeaderNames(): string[] };
      for (const name of raw.getRawHeaderNames()) seen.push([name, String(raw.getHeader(name))]);
      return payload;
    });
    await probe.inject({ method: 'GET', url: '/' });
    return seen;
  } finally {
    await probe.close();
  }
}

/**
 * Sets the security headers on every answer, in the first hook (errors, 401s, 404s and 405s
 * included). They go into Fastify's own header store (lower-case names, as `reply.header`
 * keeps every name), not onto Node's response with `setHeader`: Node then writes the head
 * from Fastify's one object, where a single `setHeader` made it take every header of the
 * answer through `setHeader` (a validation and a [name, value] pair each; 5 % of the bytes a
 * read request allocated). Header names are case-insensitive; the values are helmet's.
 */
export async function installSecurityHeaders(fastify: FastifyInstance, options: FastifyHelmetOptions = HELMET_OPTIONS): Promise<void> {
  const headers = await securityHeaders(options);
  const names = headers.map(([name]) => name.toLowerCase());
  const values = headers.map(([, value]) => value);
  fastify.addHook('onRequest', (_request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    for (let i = 0; i < names.length; i++) void reply.header(names[i], values[i]);
    done();
  });
}
