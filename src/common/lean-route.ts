import type { Type } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  REDIRECT_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NodeDeclaration } from './api-node.decorator';
import { fastQueryPipe } from './validation';

/** A node answered by a lean handler: its controller class and handler method (see ApiNode's `lean`). */
export interface LeanTarget {
  readonly controller: Type<unknown>;
  readonly method: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by @ApiNode({ lean: true }): the route is answered by leanHandler. */
    kamprovLean?: LeanTarget;
  }
}

/** What a lean handler needs of the application. */
export interface LeanRouteDeps {
  /** The controller instance Nest made. */
  instanceOf<T>(type: Type<T>): T;
  /** The API key guard's admission (ApiKeyGuard.authorize): throws, or rejects, with its AuthError. */
  authorize(request: FastifyRequest, node: NodeDeclaration): void | Promise<void>;
}

/** The application's global enhancers (Nest's ApplicationConfig), as a lean route must find them. */
export interface GlobalEnhancers {
  guards: unknown[];
  interceptors: unknown[];
  pipes: unknown[];
}

/**
 * Lean routes apply exactly one global guard (the API key guard, through `authorize`) and one
 * global pipe (the query pipe's fast path), and no global interceptor. Start-up fails if the
 * application's globals are anything else, so that a guard, pipe or interceptor added globally
 * later cannot be skipped on the lean nodes unnoticed.
 */
export function assertLeanGlobals(globals: GlobalEnhancers, guard: unknown, isQueryPipe: (pipe: unknown) => boolean): void {
  const problems: string[] = [];
  if (globals.guards.length !== 1 || globals.guards[0] !== guard)
    problems.push(`${globals.guards.length} global guards, not the API key guard alone`);
  if (globals.interceptors.length > 0) problems.push(`${globals.interceptors.length} global interceptors`);
  if (globals.pipes.length !== 1 || !isQueryPipe(globals.pipes[0]))
    problems.push(`${globals.pipes.length} global pipes, not the query pipe alone`);
  if (problems.length > 0) {
    throw new Error(`lean routes apply the API key guard and the query pipe only, and this application has ${problems.join(', ')}`);
  }
}

/** Nest's per-route enhancers and response decorators a lean handler does not apply. */
const UNSUPPORTED_METADATA = [
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  EXCEPTION_FILTERS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  REDIRECT_METADATA,
];

/**
 * The query pipe of a lean node's handler, or the reason it cannot be lean: its one
 * parameter must be the whole query (`@Query() q: Dto`) with a DTO that has a fast path, and
 * neither the handler nor its controller may carry guards, interceptors, pipes, filters or
 * response decorators of their own (the lean handler would skip them).
 */
export function leanQueryPipe(target: LeanTarget): (query: Record<string, unknown>) => object {
  const where = `${target.controller.name}.${target.method}`;
  const handler = (target.controller.prototype as Record<string, unknown>)[target.method];
  if (typeof handler !== 'function') throw new Error(`lean route ${where}: no such handler`);
  for (const key of UNSUPPORTED_METADATA) {
    if (Reflect.getMetadata(key, handler) !== undefined || Reflect.getMetadata(key, target.controller) !== undefined) {
      throw new Error(`lean route ${where}: it has ${key} metadata, which a lean route does not apply`);
    }
  }
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, target.controller, target.method) ?? {}) as Record<
    string,
    { index: number; data?: unknown; pipes?: unknown[] }
  >;
  const types = (Reflect.getMetadata('design:paramtypes', target.controller.prototype as object, target.method) ?? []) as unknown[];
  const query = args[`${RouteParamtypes.QUERY}:0`];
  if (Object.keys(args).length !== 1 || !query || query.data !== undefined || (query.pipes ?? []).length > 0 || types.length !== 1) {
    throw new Error(`lean route ${where}: its one parameter must be the whole query, @Query() q: Dto`);
  }
  const pipe = fastQueryPipe(types[0]);
  if (!pipe) throw new Error(`lean route ${where}: its query DTO has no fast path (registerFastQuery)`);
  return pipe;
}

/**
 * The handler of a lean node: what Nest's router does for it, without its per-request
 * machinery (execution context, guard, pipe and interceptor consumers: some 30 promises a
 * request). The key guard admits the request, the global pipe's fast path makes the DTO, the
 * controller's handler answers; whatever they throw goes to Fastify's error handler, which
 * Nest points at the one exception filter (AllExceptionsFilter), as for any other error.
 * Without a promise of its own when the key is in the key cache.
 */
export function leanHandler(target: LeanTarget, node: NodeDeclaration, deps: LeanRouteDeps): (request: FastifyRequest) => unknown {
  const pipe = leanQueryPipe(target);
  const instance = deps.instanceOf(target.controller) as Record<string, (dto: object) => unknown>;
  const handle = instance[target.method].bind(instance);
  const answer = (request: FastifyRequest) => handle(pipe(request.query as Record<string, unknown>));
  return (request) => {
    const admitted = deps.authorize(request, node);
    return admitted ? admitted.then(() => answer(request)) : answer(request);
  };
}

/**
 * Gives every route declared `lean` (ApiNode) a lean handler, as Nest registers it. Must be
 * installed before the application initializes (Nest registers its routes then).
 */
export function installLeanRoutes(fastify: FastifyInstance, deps: () => LeanRouteDeps): void {
  fastify.addHook('onRoute', (route) => {
    const target = route.config?.kamprovLean;
    if (!target) return;
    const node = route.config?.kamprovNode;
    if (!node) throw new Error(`lean route ${route.url}: not an @ApiNode`);
    route.handler = leanHandler(target, node, deps());
  });
}
