import type { FastifyInstance, FastifyRequest } from 'fastify';
import { nodeOfRequest } from '../common/api-node.decorator';
import { ScopedLogger } from '../logging/scoped-logger';
import { envelopeKindOf } from '../common/request-log.hook';
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
  const logger = new ScopedLogger('Audit');
  // Callback-style: no promise for the reads (nodes without `audit`) nor for writes already recorded.
  fastify.addHook('onSend', (request: FastifyRequest, reply, payload, done) => {
    const node = nodeOfRequest(request);
    if (!node?.audit || !request.apiKey) return done(null, payload);
    // The envelope's head, as the request log reads it (set already if its hook ran first).
    const kind = request.envelopeKind ?? envelopeKindOf(payload);
    const outcome = kind.response === 'ok' ? 'ok' : kind.response === 'none' ? 'error/internal' : `${kind.response}/${kind.cause}`;
    if (outcome === 'failed/toomany' || (outcome === 'ok' && writeAuditOf(request)?.recorded)) return done(null, payload);
    audit
      .record(
        {
          node: node.name,
          target: node.audit(auditQueryOf((request.query ?? {}) as Record<string, unknown>)),
          keyName: request.apiKey.name ?? null,
          outcome,
          status: reply.statusCode,
        },
        request,
      )
      .catch((err: Error) => logger.error(`could not record ${node.name}: ${err.message}`, request))
      .finally(() => done(null, payload));
  });
}
