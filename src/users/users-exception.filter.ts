import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { failed, invalid, ProblemEnvelope } from '../common/envelope';
import { EnvelopeRenderer } from '../common/envelope-renderer';
import { UsersError, UsersErrorCode } from './users.errors';

export function usersErrorToEnvelope(e: UsersError): ProblemEnvelope {
  switch (e.code) {
    case UsersErrorCode.NotFound:
      return failed('nonexistant', e.detail);
    case UsersErrorCode.AlreadyExists:
      return failed('exists', e.detail);
    case UsersErrorCode.InUse:
      return failed('inuse', e.detail);
    case UsersErrorCode.DomainNotLocal:
      return failed('nxdomain', e.detail);
    case UsersErrorCode.DomainIsLocal:
      return failed('domain', e.detail);
    case UsersErrorCode.RemoteFieldOnLocalUser:
      return invalid(e.param ?? 'user', e.detail);
  }
}

@Catch(UsersError)
export class UsersExceptionFilter implements ExceptionFilter<UsersError> {
  constructor(private readonly renderer: EnvelopeRenderer) {}

  catch(exception: UsersError, host: ArgumentsHost): void {
    this.renderer.send(host.switchToHttp().getResponse<FastifyReply>(), usersErrorToEnvelope(exception));
  }
}
