import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AllConfig } from '../config/config.types';
import { DatabaseStartup, startDatabase, startupOf } from './database-startup';
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
          kamprovMigrationsRun: db.migrationsRun,
          ...buildDataSourceOptions(db),
          autoLoadEntities: true,
          // DatabaseStartup connects and migrates (under the migration lock), retrying in
          // the background while the database is down: start-up never waits for it.
          migrationsRun: false,
          manualInitialization: true,
          retryAttempts: 0,
        };
      },
      dataSourceFactory: async (options) => {
        const source = new DataSource(options!);
        const migrationsRun = (options as { kamprovMigrationsRun?: boolean }).kamprovMigrationsRun ?? true;
        return startDatabase(source, migrationsRun);
      },
    }),
  ],
  providers: [
    { provide: SqlDialect, inject: [getDataSourceToken()], useFactory: (dataSource: DataSource) => dialectFor(dataSource) },
    { provide: DatabaseStartup, inject: [getDataSourceToken()], useFactory: (dataSource: DataSource) => startupOf(dataSource) },
    Transactor,
    StatementTimeouts,
  ],
  exports: [SqlDialect, Transactor, DatabaseStartup],
})
export class DatabaseModule {}
