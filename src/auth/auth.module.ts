import { Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import { fastifyOf } from '../common/fastify-hooks';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { NodeRolesCheck } from './node-roles.check';
import { RateLimiter } from './rate-limiter';
import { installPasswordMask } from './password-mask.hook';
import { ApiKeyEntity } from './entities/api-key.entity';

/**
 * API keys, roles and rate limits. The limiter (rate-limiter.ts) counts per key id, or per
 * client address without a valid key, in memory or in Redis with REDIS_URL (see README,
 * Security). Start-up fails if a route declares no role (NodeRolesCheck); answers to a
 * `read` key have their passwords masked (password-mask.hook.ts).
 */
@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature([ApiKeyEntity])],
  providers: [
    ApiKeysService,
    NodeRolesCheck,
    RateLimiter,
    // Verifies the key and counts the request (per key, or per address without a valid key);
    // the lean routes (common/lean-route.ts) call the same instance.
    ApiKeyGuard,
    { provide: APP_GUARD, useExisting: ApiKeyGuard },
  ],
  exports: [ApiKeysService, RateLimiter, ApiKeyGuard],
})
export class AuthModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = fastifyOf(this.adapterHost);
    if (fastify) installPasswordMask(fastify);
  }
}
