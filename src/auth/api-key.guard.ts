import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { NODE_METADATA, NodeDeclaration } from '../common/api-node.decorator';
import { roleAtLeast } from '../common/roles';
import type { AllConfig } from '../config/config.types';
import { ApiKeyIdentity, ApiKeysService } from './api-keys.service';
import { AuthError, AuthErrorCode } from './auth.errors';
import { IS_PUBLIC } from './public.decorator';
import { RateLimiter, type RateVerdict } from './rate-limiter';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ApiKeyGuard once the caller's key is verified. */
    apiKey?: ApiKeyIdentity;
  }
}

/**
 * Every node needs a key: `X-API-Key: <key>` or `Authorization: Bearer <key>` (and
 * `?api_key=` only with ALLOW_QUERY_API_KEY=true). The role a node needs is the one its
 * @ApiNode declares (a route with neither a role nor @Public() stops start-up: NodeRolesCheck).
 *
 * Every request to a node is counted by the rate limiter before it is answered: a verified
 * key in its own bucket (`key:<id>`, whatever node it calls, refused for its role or not),
 * a request without a valid key in its client address's bucket (`ip:<address>`).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly allowQuery: boolean;

  constructor(
    private readonly keys: ApiKeysService,
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    config: ConfigService<AllConfig, true>,
  ) {
    this.allowQuery = config.get('app', { infer: true }).allowQueryApiKey;
  }

  /** Per handler, what its metadata says (read once, not on every request). */
  private readonly routes = new WeakMap<object, { isPublic: boolean; node: NodeDeclaration | undefined }>();

  private routeOf(context: ExecutionContext): { isPublic: boolean; node: NodeDeclaration | undefined } {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      route = {
        isPublic: Boolean(this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, context.getClass()])),
        node: this.reflector.get<NodeDeclaration | undefined>(NODE_METADATA, handler),
      };
      this.routes.set(handler, route);
    }
    return route;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, node } = this.routeOf(context);
    if (isPublic) return true;
    // Unreachable once NodeRolesCheck passed at start-up; refuse rather than default.
    if (!node) throw new Error(`${context.getClass().name}.${context.getHandler().name} declares no role`);
    await this.authorize(context.switchToHttp().getRequest<FastifyRequest>(), node);
    return true;
  }

  /**
   * Admits a request to `node` or throws its AuthError: the key verified (`request.apiKey`
   * set), the request counted, the role checked. Without a promise when the key is in the key
   * cache and the limiter counts in memory, as for a key in use (the lean routes call this
   * directly: common/lean-route.ts).
   */
  authorize(request: FastifyRequest, node: NodeDeclaration): void | Promise<void> {
    let verified: ReturnType<ApiKeysService['verify']>;
    try {
      const presented = this.presentedKey(request);
      if (!presented) {
        throw new AuthError(AuthErrorCode.Unauthenticated, 'an API key is required: send X-API-Key: <key>');
      }
      verified = this.keys.verify(presented, request);
    } catch (err) {
      return this.refusedKey(request, err);
    }
    if (verified instanceof Promise) {
      return verified.then(
        (identity) => this.admit(request, node, identity),
        (err: unknown) => this.refusedKey(request, err),
      );
    }
    return this.admit(request, node, verified);
  }

  private admit(request: FastifyRequest, node: NodeDeclaration, identity: ApiKeyIdentity | undefined): void | Promise<void> {
    if (!identity)
      return this.refusedKey(request, new AuthError(AuthErrorCode.Unauthenticated, 'the API key is not valid (unknown or revoked)'));
    request.apiKey = identity;
    const bucket = `key:${identity.id}`;
    if (this.limiter.enabled) {
      // In this process's counters (no Redis): counted without a promise.
      const local = this.limiter.hitLocally(bucket);
      if (!local) return this.count(request, bucket, `key ${identity.name}`).then(() => this.checkRole(identity, node));
      this.refuseOver(local, `key ${identity.name}`);
    }
    this.checkRole(identity, node);
  }

  private checkRole(identity: ApiKeyIdentity, node: NodeDeclaration): void {
    if (!roleAtLeast(identity.role, node.role)) {
      throw new AuthError(AuthErrorCode.Forbidden, `${node.name} needs the ${node.role} role; key ${identity.name} has ${identity.role}`);
    }
  }

  /** Refused for its key: counted by client address (429 once that is over the limit), then `err`. */
  private async refusedKey(request: FastifyRequest, err: unknown): Promise<never> {
    if (err instanceof AuthError) await this.count(request, `ip:${request.ip}`, 'this client address');
    throw err;
  }

  /** Counts one request of the bucket; over the limit, 429 failed/toomany with Retry-After. */
  private async count(request: FastifyRequest, bucket: string, who: string): Promise<void> {
    if (!this.limiter.enabled) return;
    this.refuseOver(await this.limiter.hit(bucket, request), who);
  }

  private refuseOver(verdict: RateVerdict, who: string): void {
    if (!verdict.allowed) {
      throw new AuthError(AuthErrorCode.TooMany, `too many requests for ${who}; retry after ${verdict.retryAfterS} s`, verdict.retryAfterS);
    }
  }

  private presentedKey(request: FastifyRequest): string | undefined {
    const query = request.query as Record<string, unknown> | undefined;
    if (query && 'api_key' in query) {
      const fromQuery = query.api_key;
      delete query.api_key; // not a node parameter
      if (!this.allowQuery) {
        throw new AuthError(
          AuthErrorCode.Unauthenticated,
          'API keys in the query string are refused; send X-API-Key (or set ALLOW_QUERY_API_KEY=true)',
        );
      }
      if (typeof fromQuery === 'string' && fromQuery) return fromQuery;
    }
    const header = request.headers['x-api-key'];
    if (typeof header === 'string' && header) return header;
    const auth = request.headers.authorization;
    if (typeof auth === 'string' && /^Bearer\s+\S+$/i.test(auth)) return auth.replace(/^Bearer\s+/i, '');
    return undefined;
  }
}
