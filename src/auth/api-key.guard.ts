import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { AllConfig } from '../config/config.types';
import { ApiKeyIdentity, ApiKeysService } from './api-keys.service';
import { AuthError, AuthErrorCode } from './auth.errors';
import { IS_PUBLIC } from './public.decorator';
import { nodeOf, requiredRole, roleAtLeast } from './roles';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ApiKeyGuard once the caller's key is verified. */
    apiKey?: ApiKeyIdentity;
  }
}

/**
 * Every node needs a key: `X-API-Key: <key>` or `Authorization: Bearer <key>` (and
 * `?api_key=` only with ALLOW_QUERY_API_KEY=true). The role a node needs follows from its
 * name (see roles.ts).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly allowQuery: boolean;

  constructor(
    private readonly keys: ApiKeysService,
    private readonly reflector: Reflector,
    config: ConfigService<AllConfig, true>,
  ) {
    this.allowQuery = config.get('app', { infer: true }).allowQueryApiKey;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const presented = this.presentedKey(request);
    if (!presented) {
      throw new AuthError(AuthErrorCode.Unauthenticated, 'an API key is required: send X-API-Key: <key>');
    }
    const identity = await this.keys.verify(presented);
    if (!identity) throw new AuthError(AuthErrorCode.Unauthenticated, 'the API key is not valid (unknown or revoked)');
    request.apiKey = identity;
    const node = nodeOf(request.routeOptions.url ?? request.url);
    const needed = requiredRole(node);
    if (!roleAtLeast(identity.role, needed)) {
      throw new AuthError(
        AuthErrorCode.Forbidden,
        `${node.group}/${node.node} needs the ${needed} role; key ${identity.name} has ${identity.role}`,
      );
    }
    return true;
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
