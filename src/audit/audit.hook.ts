import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuditQuery, nodeOfRequest } from '../common/api-node.decorator';
import type { AuditService } from './audit.service';

const str = (v: unknown): string | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v.map((x) => String(x)).join(',') : typeof v === 'string' ? v : JSON.stringify(v);

/** The query as the node's audit target function sees it: every value a string. */
export function auditQueryOf(query: Record<string, unknown>): AuditQuery {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, str(v)]));
}

/**
 * Records every call of a write node (a node whose @ApiNode declares `audit`) by a verified
 * key, whatever its outcome (refused for its role too), once the answer is known. Calls
 * without a valid key (401) and calls over the rate limit (429) are not recorded: anyone who
 * can reach the port could otherwise grow the table without bound; the request log has one
 * line for each. A failure to record is logged and does not change the answer.
 */
export function installAuditHook(fastify: FastifyInstance, audit: AuditService): void {
  const logger = new Logger('Audit');
  fastify.addHook('onSend', async (request: FastifyRequest, reply, payload) => {
    const node = nodeOfRequest(request);
    if (!node?.audit) return payload;
    if (!request.apiKey) return payload;
    let outcome = 'error/internal';
    try {
      const body = JSON.parse(String(payload)) as { response?: string; cause?: string };
      outcome = body.response === 'ok' ? 'ok' : `${body.response}/${body.cause}`;
    } catch {
      // not an envelope; keep error/internal
    }
    if (outcome === 'failed/toomany') return payload;
    await audit
      .record({
        node: node.name,
        target: node.audit(auditQueryOf((request.query ?? {}) as Record<string, unknown>)),
        keyName: request.apiKey?.name ?? null,
        outcome,
        status: reply.statusCode,
      })
      .catch((err: Error) => logger.error(`could not record ${node.name}: ${err.message}`));
    return payload;
  });
}
