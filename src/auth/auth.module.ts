import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AllConfig } from '../config/config.types';
import { ApiKeyThrottlerGuard } from './api-key-throttler.guard';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { AuthExceptionFilter } from './auth-exception.filter';
import { ApiKeyEntity } from './entities/api-key.entity';

/**
 * API keys, roles and rate limits. The throttler's store is in memory: the limit holds per
 * kamprov instance (see README, Security).
 */
@Module({
  imports: [
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
    // Order matters: the key is verified before the limiter counts per key.
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
    { provide: APP_FILTER, useClass: AuthExceptionFilter },
  ],
  exports: [ApiKeysService],
})
export class AuthModule {}
