import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isWriteNode, nodeOf } from '../auth/roles';
import type { AuditService } from './audit.service';

const str = (v: unknown): string | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v.map((x) => String(x)).join(',') : typeof v === 'string' ? v : JSON.stringify(v);

/** What a write node acts on, from its parameters (never a password). */
export function targetOf(query: Record<string, unknown>): string {
  const q = (k: string) => str(query[k]);
  const user = q('user') ?? q('address') ?? (q('username') !== undefined ? `${q('username')}@${q('domain') ?? ''}` : undefined);
  if (user !== undefined) return user;
  if (q('alias_username') !== undefined) return `${q('alias_username')}@${q('alias_domain') ?? ''}`;
  if (q('start') !== undefined) return `${q('start')}..${q('end') ?? ''}`;
  return q('mac') ?? q('number') ?? q('domain') ?? '';
}

/**
 * Records every call of a write node, whatever its outcome, once the answer is known.
 * A failure to record is logged and does not change the answer.
 */
export function installAuditHook(fastify: FastifyInstance, audit: AuditService): void {
  const logger = new Logger('Audit');
  fastify.addHook('onSend', async (request: FastifyRequest, reply, payload) => {
    const route = request.routeOptions.url;
    if (!route) return payload;
    const node = nodeOf(route);
    if (!node.group || !isWriteNode(node)) return payload;
    let outcome = 'error/internal';
    try {
      const body = JSON.parse(String(payload)) as { response?: string; cause?: string };
      outcome = body.response === 'ok' ? 'ok' : `${body.response}/${body.cause}`;
    } catch {
      // not an envelope; keep error/internal
    }
    await audit
      .record({
        node: `${node.group}/${node.node}`,
        target: targetOf((request.query ?? {}) as Record<string, unknown>),
        keyName: request.apiKey?.name ?? null,
        outcome,
        status: reply.statusCode,
      })
      .catch((err: Error) => logger.error(`could not record ${node.group}/${node.node}: ${err.message}`));
    return payload;
  });
}
