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
    const node = this.reflector.get<NodeDeclaration | undefined>(NODE_METADATA, context.getHandler());
    // Unreachable once NodeRolesCheck passed at start-up; refuse rather than default.
    if (!node) throw new Error(`${context.getClass().name}.${context.getHandler().name} declares no role`);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const presented = this.presentedKey(request);
    if (!presented) {
      throw new AuthError(AuthErrorCode.Unauthenticated, 'an API key is required: send X-API-Key: <key>');
    }
    const identity = await this.keys.verify(presented);
    if (!identity) throw new AuthError(AuthErrorCode.Unauthenticated, 'the API key is not valid (unknown or revoked)');
    request.apiKey = identity;
    if (!roleAtLeast(identity.role, node.role)) {
      throw new AuthError(
        AuthErrorCode.Forbidden,
        `${node.name} needs the ${node.role} role; key ${identity.name} has ${identity.role}`,
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
