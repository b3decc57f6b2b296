import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Transactor } from '../database/transactor';
import { auditRow, insertAuditRow, type AuditRecord } from './audit-row';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import { type LogScope, ScopedLogger } from '../logging/scoped-logger';

export type { AuditRecord };

export interface AuditEntryView {
  at: string;
  node: string;
  target: string;
  key: string | null;
  outcome: string;
  status: number;
}

const DEFAULT_LIMIT = 100;
/** How long an answer waits for its audit record before it goes out (the record is written still). */
const AUDIT_INLINE_WAIT_MS = 1000;
/** Records kept for a later write at most (while the database refuses them). */
const AUDIT_PENDING_MAX = 10_000;

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactor: Transactor,
  ) {}

  /**
   * One insert, kept apart from other requests' SQLite transactions (Transactor.serialized,
   * which retries it). The answer waits for it at most AUDIT_INLINE_WAIT_MS: a database
   * that is locked or slow (another process holding SQLite's write lock) then delays the
   * answer once, for the write itself, not twice. A record that cannot be written yet is
   * kept and written later, in order, retried with backoff: never silently dropped (only
   * past AUDIT_PENDING_MAX records held at once, and then logged as an error with the record).
   */
  async record(entry: AuditRecord, scope?: LogScope): Promise<void> {
    const row = auditRow(entry);
    if (this.pending.length > 0) return this.keep(row, scope);
    const write = this.insert(row, scope).catch((err: Error) => {
      this.logger.warn(`audit record kept for a later write (${err.message})`, scope);
      this.keep(row, scope);
    });
    await Promise.race([write, new Promise<void>((resolve) => setTimeout(resolve, AUDIT_INLINE_WAIT_MS).unref())]);
  }

  private readonly logger = new ScopedLogger('Audit');
  private readonly pending: Omit<AuditEntryEntity, 'id'>[] = [];
  private flushing = false;

  private insert(row: Omit<AuditEntryEntity, 'id'>, scope?: LogScope): Promise<unknown> {
    return this.transactor.serialized((em) => insertAuditRow(em, row), scope);
  }

  private keep(row: Omit<AuditEntryEntity, 'id'>, scope?: LogScope): void {
    if (this.pending.length >= AUDIT_PENDING_MAX) {
      this.logger.error(`audit backlog full: record lost: ${JSON.stringify(row)}`, scope);
      return;
    }
    this.pending.push(row);
    void this.flush();
  }

  /** Writes the kept records in order, waiting longer after each failure (up to 10 s). */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    let wait = 200;
    try {
      while (this.pending.length > 0) {
        try {
          await this.insert(this.pending[0]);
          this.pending.shift();
          wait = 200;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, wait).unref());
          wait = Math.min(wait * 2, 10_000);
        }
      }
    } finally {
      this.flushing = false;
    }
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
