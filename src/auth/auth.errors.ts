import { DomainError, EnvelopeMap } from '../common/domain-error';
import { failed, invalid, ProblemEnvelope } from '../common/envelope';

/** Everything the API key checks and the key store can refuse; envelopes in AUTH_ENVELOPES. */
export enum AuthErrorCode {
  Unauthenticated = 'Unauthenticated',
  Forbidden = 'Forbidden',
  KeyNameTaken = 'KeyNameTaken',
  KeyNotFound = 'KeyNotFound',
  TooMany = 'TooMany',
  KeyNameInvalid = 'KeyNameInvalid',
}

const AUTH_ENVELOPES = {
  [AuthErrorCode.Unauthenticated]: (e) => failed('unauthenticated', e.detail),
  [AuthErrorCode.Forbidden]: (e) => failed('forbidden', e.detail),
  [AuthErrorCode.KeyNameTaken]: (e) => failed('exists', e.detail),
  [AuthErrorCode.KeyNotFound]: (e) => failed('nonexistant', e.detail),
  [AuthErrorCode.TooMany]: (e) => failed('toomany', e.detail),
  [AuthErrorCode.KeyNameInvalid]: (e) => invalid('name', e.detail),
} satisfies EnvelopeMap<AuthErrorCode, AuthError>;

export class AuthError extends DomainError<AuthErrorCode> {
  constructor(
    code: AuthErrorCode,
    detail: string,
    /** For TooMany: seconds until the window ends. */
    readonly retryAfterS?: number,
  ) {
    super(code, detail);
  }

  envelope(): ProblemEnvelope {
    return AUTH_ENVELOPES[this.code](this);
  }

  /** A 401 says how to authenticate; a 429 when to try again. */
  override headers(): Record<string, string> {
    if (this.code === AuthErrorCode.Unauthenticated) return { 'www-authenticate': 'Bearer realm="kamprov"' };
    if (this.code === AuthErrorCode.TooMany) return { 'retry-after': String(this.retryAfterS ?? 1) };
    return {};
  }
}
