import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { failed, ProblemEnvelope } from '../common/envelope';
import { EnvelopeRenderer } from '../common/envelope-renderer';
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
export class AuthExceptionFilter implements ExceptionFilter<AuthError> {
  constructor(private readonly renderer: EnvelopeRenderer) {}

  catch(exception: AuthError, host: ArgumentsHost): void {
    const headers: Record<string, string> =
      exception.code === AuthErrorCode.Unauthenticated ? { 'www-authenticate': 'Bearer realm="kamprov"' } : {};
    this.renderer.send(host.switchToHttp().getResponse<FastifyReply>(), authErrorToEnvelope(exception), headers);
  }
}
