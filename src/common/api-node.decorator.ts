import { applyDecorators, Get, SetMetadata, Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorEnvelopeDto, FailedEnvelopeDto, InvalidEnvelopeDto } from './dto/envelope.dto';
import { FailedCause, statusOf } from './envelope';
import type { Role } from './roles';

/** A node's query parameters as the audit sees them (a repeated parameter joined with commas). */
export type AuditQuery = Record<string, string | undefined>;

/** What a write node acts on, from its query: an address, a MAC, a number, a range, a domain. Never a password. */
export type AuditTarget = (q: AuditQuery) => string;

/**
 * What the API key guard and the Fastify hooks know of a node, all of it declared in the
 * node's @ApiNode: the role it needs and, for a write node, its audit target.
 */
export interface NodeDeclaration {
  readonly role: Role;
  /** Present on write nodes: their calls are recorded in the audit trail with this target. */
  readonly audit?: AuditTarget;
  /** `group/node`, e.g. `user/add_local`: the controller's path and the node's. */
  readonly name: string;
}

/** Reflector key of a route's NodeDeclaration (read by the guard and the start-up check). */
export const NODE_METADATA = 'kamprov:node';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's NodeDeclaration, for hooks (which see Fastify's route, not Nest's handler). */
    kamprovNode?: NodeDeclaration;
  }
}

/** The node a request was routed to, or undefined (health probes, /metrics, /docs, no route). */
export function nodeOfRequest(request: FastifyRequest): NodeDeclaration | undefined {
  return request.routeOptions?.config?.kamprovNode;
}

export interface ApiNodeOptions {
  /** The node's path below its group, e.g. `get` for `/user/get`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /**
   * The `ok` answer's schema. A class with a static `oneOf` list of classes (an answer of
   * several shapes, e.g. phone/get) is documented as `oneOf` those.
   */
  ok: Type<unknown> & { oneOf?: Type<unknown>[] };
  /** The `failed` causes this node can answer (each documented under its status). */
  failures?: FailedCause[];
  /**
   * The least role a key needs for this node: `read` for nodes that only read (a `read` key
   * sees passwords as null), `admin` for writes and the audit trail.
   */
  role: Role;
  /** Every write node: what it acts on, for the audit trail. Absent: calls are not audited. */
  audit?: AuditTarget;
  /**
   * Answered by a lean handler (lean-route.ts) instead of Nest's router: the same key guard,
   * query fast path, handler and exception filter, without the router's per-request machinery.
   * For the hottest reads; start-up fails unless the handler's one parameter is
   * `@Query() q: Dto` with a fast path and it has no enhancers of its own.
   */
  lean?: boolean;
}

/**
 * One kamprov node: a GET route plus its OpenAPI operation, its `ok` schema and the
 * error envelope for every status it can answer (400 invalid, the listed failures,
 * 401/403/429 for the API key and rate limit, 500/503 error).
 */
export function ApiNode(options: ApiNodeOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const controller = target.constructor;
    const node: NodeDeclaration = {
      role: options.role,
      audit: options.audit,
      // The controller's path is known only once its class decorator ran: read it when asked.
      get name() {
        const group = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
        return `${(group ?? '').replace(/^\/+|\/+$/g, '')}/${options.path}`;
      },
    };
    const lean = options.lean ? { kamprovLean: { controller, method: String(key) } } : {};
    applyDecorators(SetMetadata(NODE_METADATA, node), RouteConfig({ kamprovNode: node, ...lean }), documented(options))(
      target,
      key,
      descriptor,
    );
  };
}

/** The GET route and its OpenAPI operation. */
function documented(options: ApiNodeOptions): MethodDecorator {
  const byStatus = new Map<number, FailedCause[]>();
  // Every node needs an API key and is rate limited.
  const causes: FailedCause[] = [...(options.failures ?? []), 'unauthenticated', 'forbidden', 'toomany'];
  for (const cause of new Set(causes)) {
    const status = statusOf({ response: 'failed', cause, detail: '' });
    byStatus.set(status, [...(byStatus.get(status) ?? []), cause]);
  }
  const failures = [...byStatus.entries()].map(([status, causes]) =>
    ApiResponse({
      status,
      description: `failed: ${causes.join(', ')}`,
      type: FailedEnvelopeDto,
    }),
  );
  return applyDecorators(
    Get(options.path),
    ApiExtraModels(InvalidEnvelopeDto, FailedEnvelopeDto, ErrorEnvelopeDto),
    ApiOperation({ operationId: options.operationId, summary: options.summary, description: options.description }),
    ...okResponse(options.ok),
    ApiResponse({ status: 400, description: 'invalid: a parameter is malformed, unknown or repeated', type: InvalidEnvelopeDto }),
    ...failures,
    ApiResponse({ status: 500, description: 'error: internal', type: ErrorEnvelopeDto }),
    ApiResponse({ status: 503, description: 'error: dbfail (the database is unreachable or failed)', type: ErrorEnvelopeDto }),
    ApiResponse({ status: 504, description: 'error: timeout (a statement or lock wait ran out of time)', type: ErrorEnvelopeDto }),
  );
}

function okResponse(ok: ApiNodeOptions['ok']): MethodDecorator[] {
  if (!ok.oneOf) return [ApiOkResponse({ description: 'ok', type: ok })];
  return [
    ApiExtraModels(...ok.oneOf),
    ApiOkResponse({ description: 'ok', schema: { oneOf: ok.oneOf.map((t) => ({ $ref: getSchemaPath(t) })) } }),
  ];
}
