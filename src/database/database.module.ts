import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AllConfig } from '../config/config.types';
import { buildDataSourceOptions } from './database-options';
import { dialectFor } from './dialects';
import { SqlDialect } from './sql-dialect';
import { StatementTimeouts } from './statement-timeouts';
import { Transactor } from './transactor';

/**
 * The data source (entities come from each module's TypeOrmModule.forFeature), the SQL
 * dialect of its database, the Transactor and the statement timeouts. Global: every
 * service may inject SqlDialect and Transactor.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => {
        const db = config.get('database', { infer: true });
        return {
          ...buildDataSourceOptions(db),
          autoLoadEntities: true,
          migrationsRun: db.migrationsRun,
          // Fail fast at boot instead of retrying for half a minute.
          retryAttempts: 0,
        };
      },
      dataSourceFactory: async (options) => new DataSource(options!).initialize(),
    }),
  ],
  providers: [
    { provide: SqlDialect, inject: [getDataSourceToken()], useFactory: (dataSource: DataSource) => dialectFor(dataSource) },
    Transactor,
    StatementTimeouts,
  ],
  exports: [SqlDialect, Transactor],
})
export class DatabaseModule {}
