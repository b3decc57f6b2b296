import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { nodeOfRequest } from '../common/api-node.decorator';
import { auditQueryOf } from './audit-row';
import { writeAuditOf } from './write-audit';
import type { AuditService } from './audit.service';

/**
 * Records every call of a write node (a node whose @ApiNode declares `audit`) by a verified
 * key, whatever its outcome (refused for its role too), once the answer is known. Calls
 * without a valid key (401) and calls over the rate limit (429) are not recorded: anyone who
 * can reach the port could otherwise grow the table without bound; the request log has one
 * line for each. A failure to record is logged and does not change the answer. An `ok` call
 * whose service recorded it in the write's own transaction (write-audit.ts) is not recorded
 * again.
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
    if (outcome === 'ok' && writeAuditOf(request)?.recorded) return payload;
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
