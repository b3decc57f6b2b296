import { Catch } from '@nestjs/common';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { failed, ProblemEnvelope } from '../common/envelope';
import { AuthError, AuthErrorCode } from './auth.errors';

export function authErrorToEnvelope(e: AuthError): ProblemEnvelope {
  switch (e.code) {
    case AuthErrorCode.Unauthenticated:
      return failed('unauthenticated', e.detail);
    case AuthErrorCode.Forbidden:
      return failed('forbidden', e.detail);
    case AuthErrorCode.KeyNameTaken:
      return failed('exists', e.detail);
    case AuthErrorCode.KeyNotFound:
      return failed('nonexistant', e.detail);
  }
}

@Catch(AuthError)
export class AuthExceptionFilter extends DomainExceptionFilter<AuthError> {
  protected toEnvelope(exception: AuthError): ProblemEnvelope {
    return authErrorToEnvelope(exception);
  }

  protected override headers(exception: AuthError): Record<string, string> {
    return exception.code === AuthErrorCode.Unauthenticated ? { 'www-authenticate': 'Bearer realm="kamprov"' } : {};
  }
}
