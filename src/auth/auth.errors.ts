import { DomainError, EnvelopeMap } from '../common/domain-error';
import { failed, ProblemEnvelope } from '../common/envelope';

/** Everything the API key checks and the key store can refuse; envelopes in AUTH_ENVELOPES. */
export enum AuthErrorCode {
  Unauthenticated = 'Unauthenticated',
  Forbidden = 'Forbidden',
  KeyNameTaken = 'KeyNameTaken',
  KeyNotFound = 'KeyNotFound',
}

const AUTH_ENVELOPES = {
  [AuthErrorCode.Unauthenticated]: (e) => failed('unauthenticated', e.detail),
  [AuthErrorCode.Forbidden]: (e) => failed('forbidden', e.detail),
  [AuthErrorCode.KeyNameTaken]: (e) => failed('exists', e.detail),
  [AuthErrorCode.KeyNotFound]: (e) => failed('nonexistant', e.detail),
} satisfies EnvelopeMap<AuthErrorCode, AuthError>;

export class AuthError extends DomainError<AuthErrorCode> {
  envelope(): ProblemEnvelope {
    return AUTH_ENVELOPES[this.code](this);
  }

  /** A 401 says how to authenticate. */
  override headers(): Record<string, string> {
    return this.code === AuthErrorCode.Unauthenticated ? { 'www-authenticate': 'Bearer realm="kamprov"' } : {};
  }
}
