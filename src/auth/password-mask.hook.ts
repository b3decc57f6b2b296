import type { FastifyInstance } from 'fastify';

/** Every `password` in an answer, at any depth, as null. */
export function maskPasswords(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPasswords);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'password' ? null : maskPasswords(v)]));
  }
  return value;
}

/** A `read` key sees every password as null (a `provision` key sees them). */
export function installPasswordMask(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (request, _reply, payload, done) => {
    done(null, request.apiKey?.role === 'read' ? maskPasswords(payload) : payload);
  });
}
