import { OK_ENVELOPE_STREAM } from './list-stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The query parameters whose values the log may show: kamprov's documented parameters that
 * hold no secret (the e2e suite checks this list against the OpenAPI document). Every other
 * parameter (password, api_key, near-misses like `PASSWORD`, `password%00` or `pa55word`,
 * anything unknown) is logged by name with `***` for its value: an allow-list, so no
 * spelling of a secret gets through.
 */
export const LOGGED_PARAMS: ReadonlySet<string> = new Set([
  'address',
  'alias',
  'alias_domain',
  'alias_username',
  'authid',
  'destination',
  'dialplan',
  'displayname',
  'domain',
  'e164',
  'email',
  'end',
  'file',
  'limit',
  'line',
  'linetext',
  'mac',
  'model',
  'number',
  'p_port',
  'proxy',
  'r_port',
  'random',
  'registrar',
  'search',
  'start',
  'target',
  'user',
  'username',
  'vendor',
]);

/** At most this many characters of a parameter's name are logged. */
const MAX_NAME = 64;

function decodedName(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * The URL with the value of every parameter not in LOGGED_PARAMS replaced by `***`. The
 * path is kept, but for a phone's provisioning token (`/prov/t/<token>/…`), which becomes
 * `***`; a bare name (no `=`) is kept, truncated.
 */
export function redactUrl(raw: string): string {
  // Most URLs need nothing replaced (every parameter logged, plainly named): kept as they are.
  return nothingToRedact(raw) ? raw : redactEveryParam(raw);
}

/** redactUrl without its shortcut: every parameter looked at (exported for the spec's comparison). */
export function redactEveryParam(raw: string): string {
  const url = raw.replace(/(\/prov\/t\/)[^/?#]+/, '$1***'); // a phone's provisioning token
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      const name = decodedName(rawName);
      const shownName = rawName.length > MAX_NAME ? `${rawName.slice(0, MAX_NAME)}...` : rawName;
      if (eq < 0) return shownName;
      return name !== undefined && LOGGED_PARAMS.has(name) ? pair : `${shownName}=***`;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/**
 * True when redactUrl would return the URL unchanged by the rules above: no provisioning
 * token, and every parameter is `name=value` with a name in LOGGED_PARAMS (whose names
 * hold no `%` or `+`, so such a name decodes to itself). Anything else takes the full path.
 */
function nothingToRedact(url: string): boolean {
  if (url.includes('/prov/t/')) return false;
  const q = url.indexOf('?');
  if (q < 0) return true;
  let start = q + 1;
  for (;;) {
    let end = url.indexOf('&', start);
    if (end < 0) end = url.length;
    const eq = url.indexOf('=', start);
    if (eq < 0 || eq > end || !LOGGED_PARAMS.has(url.slice(start, eq))) return false;
    if (end === url.length) return true;
    start = end + 1;
  }
}

/** What the answer's envelope said; `none` for answers that are no envelope (docs, metrics). */
export type ResponseKind = 'ok' | 'invalid' | 'failed' | 'error' | 'none';

/** One finished request, as the request log and the metrics see it. */
export interface RequestOutcome {
  method: string;
  /** The URL with secrets redacted. */
  url: string;
  /** `user/get` for a node; the route's path for other routes (`metrics`, `docs`); `unmatched` without a route. */
  node: string;
  status: number;
  response: ResponseKind;
  cause: string | undefined;
  /** The API key's name, or null when the request carried no valid key. */
  key: string | null;
  /** Milliseconds from the request's arrival to the answer's last byte. */
  ms: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The envelope's `response` and `cause`, read by the request log as the answer is sent. */
    envelopeKind?: { readonly response: ResponseKind; readonly cause: string | undefined };
  }
}

const ENVELOPE_HEAD = /^\{"response":"(ok|invalid|failed|error)"/;
const CAUSE = /"cause":"([^"\\]{1,64})"/;

/** The envelope kind of a serialized answer, read from its head (a list may be megabytes long). */
export type EnvelopeKind = { readonly response: ResponseKind; readonly cause: string | undefined };

export function envelopeKindOf(payload: unknown): EnvelopeKind {
  // A streamed list (list-stream.ts) is an ok envelope whose head is already decided.
  if (payload && typeof payload === 'object' && (payload as { [OK_ENVELOPE_STREAM]?: boolean })[OK_ENVELOPE_STREAM]) {
    return OK;
  }
  if (typeof payload !== 'string') return NONE;
  // The commonest answer, without a regular expression.
  if (payload.startsWith('{"response":"ok"')) return OK;
  const head = ENVELOPE_HEAD.exec(payload);
  if (!head) return NONE;
  const response = head[1] as ResponseKind;
  // Problem envelopes are small; only they carry a cause worth logging.
  const cause = response === 'ok' ? undefined : CAUSE.exec(payload.slice(0, 512))?.[1];
  return { response, cause };
}

const OK: EnvelopeKind = Object.freeze({ response: 'ok', cause: undefined });
const NONE: EnvelopeKind = Object.freeze({ response: 'none', cause: undefined });

/** The node's name: the last two segments of a node's route (whatever API_PREFIX is). */
export function nodeLabel(route: string | undefined): string {
  if (!route) return 'unmatched';
  // Routes are few and fixed: each is labelled once.
  let label = nodeLabels.get(route);
  if (label === undefined) {
    label = labelOf(route);
    if (nodeLabels.size < 1000) nodeLabels.set(route, label);
  }
  return label;
}

const nodeLabels = new Map<string, string>();

function labelOf(route: string): string {
  const parts = route.split('/').filter(Boolean);
  if (parts.length >= 2 && /^[a-z]+$/.test(parts[parts.length - 2]) && /^[a-z_]+$/.test(parts[parts.length - 1])) {
    return parts.slice(-2).join('/');
  }
  return parts.join('/') || '/';
}

export function outcomeOf(request: FastifyRequest, status: number, ms: number): RequestOutcome {
  const kind = request.envelopeKind ?? { response: 'none' as const, cause: undefined };
  return {
    method: request.method,
    url: redactUrl(request.url),
    node: nodeLabel(request.routeOptions.url),
    status,
    response: kind.response,
    cause: kind.cause,
    key: request.apiKey?.name ?? null,
    ms: Math.round(ms * 10) / 10,
  };
}

export interface RequestLogOptions {
  /** Called with every finished request (the metrics count them). */
  onOutcome?: (outcome: RequestOutcome) => void;
}

/**
 * One log entry per request, through the request's pino logger (so it carries `reqId`):
 * method, URL with the values of every parameter but LOGGED_PARAMS redacted, node, status, response kind and
 * cause, key name and latency, as fields and as a readable `msg`. Headers (X-API-Key,
 * Authorization) are never logged. 5xx answers log at `error`, the rest at `info`.
 */
export function installRequestLog(fastify: FastifyInstance, options: RequestLogOptions = {}): void {
  // Callback-style hooks: they never wait, so no promise per hook per request.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onSend', (request, _reply, payload, done) => {
    request.envelopeKind = envelopeKindOf(payload);
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const o = outcomeOf(request, reply.statusCode, reply.elapsedTime);
    options.onOutcome?.(o);
    const kind = o.response === 'none' ? '' : ` ${o.response}${o.cause ? `/${o.cause}` : ''}`;
    const msg = `${o.method} ${o.url} ${o.status}${kind} key=${o.key ?? '-'} ${o.ms}ms`;
    // The outcome's fields after `context`, in the outcome's order (key: absent without one).
    const fields = {
      context: 'HTTP',
      method: o.method,
      url: o.url,
      node: o.node,
      status: o.status,
      response: o.response,
      cause: o.cause,
      key: o.key ?? undefined,
      ms: o.ms,
    };
    if (o.status >= 500) request.log.error(fields, msg);
    else request.log.info(fields, msg);
    done();
  });
}
