import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid, InvalidEnvelope, statusOf } from './envelope';

/**
 * The HTTP layer's own refusals, before any node runs: every one is an `invalid` envelope,
 * none repeats the request's query (it may hold a password) and none writes anything.
 *
 * - A method other than GET: 405 `invalid`/`method`, `Allow: GET` (a CORS preflight passes
 *   where CORS is on). Fastify would otherwise run a GET node for HEAD, writes included.
 * - A request head Node refuses to parse (over 16 KiB, broken request line): 431 or 400
 *   `invalid`/`request`, written on the socket (no request object exists yet).
 * - A path Fastify cannot route (a broken %-escape): 400 `invalid`/`request`.
 *
 * With LEGACY_HTTP_200 every one of them is a 200, like every other answer.
 */
export interface HttpGuardOptions {
  legacyHttp200: boolean;
  /** CORS is on: OPTIONS preflights are answered by @fastify/cors. */
  corsEnabled: boolean;
}

/** The status to send: 200 in legacy mode. */
function statusFor(status: number, legacy: boolean): number {
  return legacy ? 200 : status;
}

export function methodRefusal(method: string): InvalidEnvelope {
  // The method comes from Node's parser: one of its known method tokens.
  return invalid('method', `${method} is not served: every node is a GET`);
}

/** Refuses every method but GET (and CORS preflights where CORS is on), in the first hook. */
export function installMethodGuard(fastify: FastifyInstance, options: HttpGuardOptions): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const method = request.method;
    if (method === 'GET') return done();
    if (
      method === 'OPTIONS' &&
      options.corsEnabled &&
      request.headers.origin !== undefined &&
      request.headers['access-control-request-method'] !== undefined
    ) {
      return done();
    }
    const envelope = methodRefusal(method);
    void reply
      .status(statusFor(405, options.legacyHttp200))
      .header('allow', 'GET')
      .header('x-request-id', request.id)
      .header('content-type', 'application/json; charset=utf-8')
      .send(envelope);
  });
}

/** Fastify's `frameworkErrors`: the path cannot be routed. Never echoes the URL. */
export function frameworkErrorHandler(options: Pick<HttpGuardOptions, 'legacyHttp200'>) {
  return (err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void => {
    const detail =
      err.code === 'FST_ERR_BAD_URL'
        ? 'the path is not a valid URL: a %-escape is malformed'
        : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'a path segment is too long'
          : 'the request cannot be routed';
    const envelope = invalid('request', detail);
    void reply
      .status(statusFor(statusOf(envelope), options.legacyHttp200))
      .header('content-type', 'application/json; charset=utf-8')
      .send(envelope);
  };
}

/** The answer to a request Node's HTTP parser refused, as raw bytes for the socket. */
export function clientErrorResponse(code: string | undefined, legacy: boolean): string {
  let status: number;
  let envelope: InvalidEnvelope;
  if (code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    envelope = invalid('request', 'the request line and headers exceed 16 KiB');
  } else if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    envelope = invalid('request', 'the request did not arrive in time');
  } else {
    status = 400;
    envelope = invalid('request', 'the request is not valid HTTP');
  }
  const body = JSON.stringify(envelope);
  const sent = legacy ? 200 : status;
  return (
    `HTTP/1.1 ${sent} ${STATUS_CODES[sent]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * Fastify's `clientErrorHandler` (Node's 'clientError'): the envelope instead of Fastify's
 * own JSON. Logs the parser's error code only: the error carries the raw request head
 * (`rawPacket`), query and headers included.
 */
export function clientErrorHandler(options: Pick<HttpGuardOptions, 'legacyHttp200'>) {
  return function (this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    this.log.debug({ context: 'HTTP', code: err.code }, `client error ${err.code ?? 'unknown'}`);
    // A response already under way on this socket cannot get a second head (as Node does).
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) socket.write(clientErrorResponse(err.code, options.legacyHttp200));
    socket.destroy();
  };
}

/**
 * Swagger UI's page references its assets relative to `/docs`: served at `/docs/?…`,
 * `/docs/index.html` or `/docs//` its scripts and styles 404 (and `/docs//` failed outright).
 * Those paths are redirected to `/docs`.
 */
const DOCS_ALIASES = /^\/docs(\/+|\/+index\.html)$/;

export function installDocsRedirect(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const q = request.url.indexOf('?');
    const path = q < 0 ? request.url : request.url.slice(0, q);
    if (request.method === 'GET' && DOCS_ALIASES.test(path)) {
      void reply.redirect('/docs', 301);
      return;
    }
    done();
  });
}
