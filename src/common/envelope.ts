/**
 * The response envelope every kamprov answer uses:
 * `{"response": "ok"|"invalid"|"failed"|"error", "cause"?: string, "detail"?: string, ...}`.
 */
export type FailedCause = 'nonexistant' | 'exists' | 'inuse' | 'domain' | 'nxdomain' | 'unauthenticated' | 'forbidden' | 'toomany';
export type ErrorCause = 'dbfail' | 'timeout' | 'internal';

export type OkEnvelope<T extends object = object> = { response: 'ok' } & T;
export interface InvalidEnvelope {
  response: 'invalid';
  /** The offending parameter's name (or `alias`, `destination`, `address`, `range`). */
  cause: string;
  detail: string;
}
export interface FailedEnvelope {
  response: 'failed';
  cause: FailedCause;
  detail: string;
}
export interface ErrorEnvelope {
  response: 'error';
  cause: ErrorCause;
  detail: string;
}
export type ProblemEnvelope = InvalidEnvelope | FailedEnvelope | ErrorEnvelope;

export const ok = <T extends object>(payload: T): OkEnvelope<T> => ({ response: 'ok', ...payload });
export const invalid = (cause: string, detail: string): InvalidEnvelope => ({ response: 'invalid', cause, detail });
export const failed = (cause: FailedCause, detail: string): FailedEnvelope => ({ response: 'failed', cause, detail });
export const error = (cause: ErrorCause, detail: string): ErrorEnvelope => ({ response: 'error', cause, detail });

/** The HTTP status that mirrors an envelope (before LEGACY_HTTP_200). */
export function statusOf(envelope: ProblemEnvelope): number {
  switch (envelope.response) {
    case 'invalid':
      return 400;
    case 'error':
      return envelope.cause === 'dbfail' ? 503 : envelope.cause === 'timeout' ? 504 : 500;
    case 'failed':
      return failedStatus(envelope.cause);
  }
}

function failedStatus(cause: FailedCause): number {
  switch (cause) {
    case 'nonexistant':
      return 404;
    case 'exists':
    case 'inuse':
      return 409;
    case 'domain':
    case 'nxdomain':
      return 422;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'toomany':
      return 429;
  }
}

/**
 * Thrown for a request that is malformed, wherever that is found (validation pipe,
 * identity parsing). The global filter renders it as `invalid`.
 */
export class InvalidRequestError extends Error {
  constructor(
    readonly param: string,
    readonly detail: string,
  ) {
    super(`${param}: ${detail}`);
  }
}
