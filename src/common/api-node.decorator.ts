import { applyDecorators, Get, Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorEnvelopeDto, FailedEnvelopeDto, InvalidEnvelopeDto } from './dto/envelope.dto';
import { FailedCause, statusOf } from './envelope';

export interface ApiNodeOptions {
  /** The node's path below its group, e.g. `get` for `/user/get`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /**
   * The `ok` answer's schema. A class with a static `oneOf` list of classes (an answer of
   * several shapes, e.g. phone/get) is documented as `oneOf` those.
   */
  ok: Type<unknown> & { oneOf?: Type<unknown>[] };
  /** The `failed` causes this node can answer (each documented under its status). */
  failures?: FailedCause[];
  /** The least role the node needs (issue 12 makes this required; optional until then). */
  role?: 'read' | 'provision' | 'admin';
  /** The audit target computed from the query (issue 12); absent = not audited. */
  audit?: (q: Record<string, string | undefined>) => string;
}

/**
 * One kamprov node: a GET route plus its OpenAPI operation, its `ok` schema and the
 * error envelope for every status it can answer (400 invalid, the listed failures,
 * 401/403/429 for the API key and rate limit, 500/503 error).
 */
export function ApiNode(options: ApiNodeOptions): MethodDecorator {
  const byStatus = new Map<number, FailedCause[]>();
  // Every node needs an API key and is rate limited.
  const causes: FailedCause[] = [...(options.failures ?? []), 'unauthenticated', 'forbidden', 'toomany'];
  for (const cause of new Set(causes)) {
    const status = statusOf({ response: 'failed', cause, detail: '' });
    byStatus.set(status, [...(byStatus.get(status) ?? []), cause]);
  }
  const failures = [...byStatus.entries()].map(([status, causes]) =>
    ApiResponse({
      status,
      description: `failed: ${causes.join(', ')}`,
      type: FailedEnvelopeDto,
    }),
  );
  return applyDecorators(
    Get(options.path),
    ApiExtraModels(InvalidEnvelopeDto, FailedEnvelopeDto, ErrorEnvelopeDto),
    ApiOperation({ operationId: options.operationId, summary: options.summary, description: options.description }),
    ...okResponse(options.ok),
    ApiResponse({ status: 400, description: 'invalid: a parameter is malformed, unknown or repeated', type: InvalidEnvelopeDto }),
    ...failures,
    ApiResponse({ status: 500, description: 'error: internal', type: ErrorEnvelopeDto }),
    ApiResponse({ status: 503, description: 'error: dbfail (the database is unreachable or failed)', type: ErrorEnvelopeDto }),
  );
}

function okResponse(ok: ApiNodeOptions['ok']): MethodDecorator[] {
  if (!ok.oneOf) return [ApiOkResponse({ description: 'ok', type: ok })];
  return [
    ApiExtraModels(...ok.oneOf),
    ApiOkResponse({ description: 'ok', schema: { oneOf: ok.oneOf.map((t) => ({ $ref: getSchemaPath(t) })) } }),
  ];
}
