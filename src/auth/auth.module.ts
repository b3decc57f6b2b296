import { Module, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD, DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { fastifyOf } from '../common/fastify-hooks';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AllConfig } from '../config/config.types';
import { ApiKeyThrottlerGuard } from './api-key-throttler.guard';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { NodeRolesCheck } from './node-roles.check';
import { installPasswordMask } from './password-mask.hook';
import { ApiKeyEntity } from './entities/api-key.entity';

/**
 * API keys, roles and rate limits. The throttler's store is in memory: the limit holds per
 * kamprov instance (see README, Security). Start-up fails if a route declares no role
 * (NodeRolesCheck); answers to a `read` key have their passwords masked (password-mask.hook.ts).
 */
@Module({
  imports: [
    DiscoveryModule,
    TypeOrmModule.forFeature([ApiKeyEntity]),
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => {
        const { rateLimitMax, rateLimitWindowS } = config.get('app', { infer: true });
        return {
          throttlers: [{ ttl: rateLimitWindowS * 1000, limit: rateLimitMax }],
          skipIf: () => rateLimitMax === 0,
        };
      },
    }),
  ],
  providers: [
    ApiKeysService,
    NodeRolesCheck,
    // Order matters: the key is verified before the limiter counts per key.
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
  ],
  exports: [ApiKeysService],
})
export class AuthModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = fastifyOf(this.adapterHost);
    if (fastify) installPasswordMask(fastify);
  }
}
