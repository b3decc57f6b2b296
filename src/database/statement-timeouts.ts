import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { armStatementTimeouts } from './guarded-mysql';

/**
 * Arms the MySQL statement timeout (guarded-mysql.ts) once every module is up, i.e. after
 * the migrations ran: start-up may take long, serving requests may not.
 */
@Injectable()
export class StatementTimeouts implements OnApplicationBootstrap {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    armStatementTimeouts(this.dataSource);
  }
}
