import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Transactor } from '../database/transactor';
import { AuditEntryEntity } from './entities/audit-entry.entity';

export interface AuditRecord {
  node: string;
  target: string;
  keyName: string | null;
  outcome: string;
  status: number;
}

export interface AuditEntryView {
  at: string;
  node: string;
  target: string;
  key: string | null;
  outcome: string;
  status: number;
}

const DEFAULT_LIMIT = 100;

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactor: Transactor,
  ) {}

  /** One autocommit insert, kept apart from other requests' SQLite transactions (Transactor.serialized). */
  async record(entry: AuditRecord): Promise<void> {
    await this.transactor.serialized((em) =>
      em.insert(AuditEntryEntity, {
        ...entry,
        at: new Date(),
        target: entry.target.slice(0, 255),
        outcome: entry.outcome.slice(0, 32),
      }),
    );
  }

  async list(filter: { target?: string; key?: string; limit?: number }): Promise<AuditEntryView[]> {
    const rows = await this.dataSource.getRepository(AuditEntryEntity).find({
      where: { ...(filter.target !== undefined && { target: filter.target }), ...(filter.key !== undefined && { keyName: filter.key }) },
      order: { id: 'DESC' },
      take: filter.limit ?? DEFAULT_LIMIT,
    });
    return rows.map((r) => ({
      at: new Date(r.at).toISOString(),
      node: r.node,
      target: r.target,
      key: r.keyName,
      outcome: r.outcome,
      status: r.status,
    }));
  }
}
