import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AllConfig } from '../config/config.types';
import { buildDataSourceOptions } from './database-options';
import { entities } from './entities';
import { Transactor } from './transactor';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => {
        const db = config.get('database', { infer: true });
        return {
          ...buildDataSourceOptions(db, entities),
          migrationsRun: db.migrationsRun,
          // Fail fast at boot instead of retrying for half a minute.
          retryAttempts: 0,
        };
      },
      dataSourceFactory: async (options) => new DataSource(options!).initialize(),
    }),
  ],
  providers: [Transactor],
  exports: [Transactor],
})
export class DatabaseModule {}
