import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SqlDialect } from './sql-dialect';

/**
 * Arms the statement timeout (MySQL: guarded-mysql.ts) once every module is up, i.e. after
 * the migrations ran: start-up may take long, serving requests may not.
 */
@Injectable()
export class StatementTimeouts implements OnApplicationBootstrap {
  constructor(private readonly dialect: SqlDialect) {}

  onApplicationBootstrap(): void {
    this.dialect.armStatementTimeouts();
  }
}
