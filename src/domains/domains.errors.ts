import { DomainError } from '../common/domain-error';

/** Everything the domains service can refuse; mapped to envelopes in DomainsExceptionFilter. */
export enum DomainsErrorCode {
  NotFound = 'NotFound',
  AlreadyExists = 'AlreadyExists',
  /** Users, subscribers or aliases still live in the domain. */
  InUse = 'InUse',
}

export class DomainsError extends DomainError<DomainsErrorCode> {}
