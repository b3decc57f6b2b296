import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { CommonModule } from './common/common.module';
import { createValidationPipe } from './common/validation';
import { appConfig } from './config/app.config';
import { databaseConfig } from './config/database.config';
import { loadEnv } from './config/env.validation';
import { DatabaseModule } from './database/database.module';
import { KamailioModule } from './kamailio/kamailio.module';
import { AliasesModule } from './aliases/aliases.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { DomainsModule } from './domains/domains.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { NumbersModule } from './numbers/numbers.module';
import { PhonesModule } from './phones/phones.module';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** Built per call so that each app (and each test app) reads the environment afresh. */
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          cache: false,
          load: [appConfig, databaseConfig],
          validate: (raw) => {
            loadEnv(raw as Record<string, string>);
            return raw;
          },
        }),
        LoggingModule,
        CommonModule,
        DatabaseModule,
        AuthModule,
        AuditModule,
        KamailioModule,
        UsersModule,
        PhonesModule,
        ProvisioningModule,
        NumbersModule,
        AliasesModule,
        DomainsModule,
        HealthModule,
        MetricsModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
