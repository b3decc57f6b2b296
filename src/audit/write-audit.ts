import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { EntityManager } from 'typeorm';
import { nodeOfRequest } from '../common/api-node.decorator';
import type { Statement } from '../database/sql-dialect';
import type { LogScope } from '../logging/scoped-logger';
import { auditInsert, auditQueryOf, auditRow } from './audit-row';

const WRITE_AUDIT = Symbol('kamprov.writeAudit');

declare module 'fastify' {
  interface FastifyRequest {
    [WRITE_AUDIT]?: WriteAudit;
  }
}

/**
 * The audit record of one call of a write node, written in the write's own transaction when
 * the write succeeds (its last statement, so it commits with the write or not at all: one
 * commit per write instead of two). The service calls `recordOk(em)` at the end of its
 * transaction's work; the audit hook (audit.hook.ts) then sees that an `ok` answer is
 * recorded already and writes nothing. Any other answer (refused, failed, an error, a
 * transaction that rolled back after recordOk) is recorded by the hook as before, so what
 * is audited does not change. Calls without a verified key are not audited (as in the hook).
 *
 * It is also the write's log scope: what the transactor logs for it carries the request's `reqId`.
 */
export class WriteAudit implements LogScope {
  /** True once the `ok` record was inserted in a transaction (whose commit makes the answer `ok`). */
  recorded = false;

  constructor(private readonly request: FastifyRequest) {}

  /** The request's logger (with its `reqId`). */
  get log(): FastifyRequest['log'] {
    return this.request.log;
  }

  /** Inserts the call's `ok` record (status 200) with `em`; call it last in the write's transaction. */
  async recordOk(em: EntityManager): Promise<void> {
    const insert = this.okInsert(em);
    if (insert) await em.query(insert.sql, insert.params);
  }

  /**
   * The INSERT of the call's `ok` record, for the write to send as the last statement of its
   * transaction (in a batch, SqlDialect.batch); undefined when the call is not audited.
   * Counts as recorded from here on, as recordOk does once it inserted: should the transaction
   * fail after all, the answer is not `ok` and the hook records what it is.
   */
  okInsert(em: EntityManager): Statement | undefined {
    const node = nodeOfRequest(this.request);
    const key = this.request.apiKey;
    if (!node?.audit || !key) return undefined;
    const target = node.audit(auditQueryOf((this.request.query ?? {}) as Record<string, unknown>));
    const insert = auditInsert(em, auditRow({ node: node.name, target, keyName: key.name ?? null, outcome: 'ok', status: 200 }));
    this.recorded = true;
    return insert;
  }
}

/** The request's WriteAudit, if its handler asked for one. */
export function writeAuditOf(request: FastifyRequest): WriteAudit | undefined {
  return request[WRITE_AUDIT];
}

/** A write node's handler parameter: the call's WriteAudit, to pass to the service. */
export const AuditedWrite = createParamDecorator((_data: unknown, ctx: ExecutionContext): WriteAudit => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  return (request[WRITE_AUDIT] ??= new WriteAudit(request));
});
