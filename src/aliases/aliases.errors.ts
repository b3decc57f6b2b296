import { DomainError } from '../common/domain-error';

/** Everything the aliases service can refuse; mapped to envelopes in AliasesExceptionFilter. */
export enum AliasesErrorCode {
  /** alias/remove: no such alias. */
  NotFound = 'NotFound',
  /** alias/add: the destination is at a local domain but no such subscriber exists. */
  DestinationNotFound = 'DestinationNotFound',
  /** The alias exists, or its address is a user's or a subscriber's. */
  AlreadyExists = 'AlreadyExists',
  /** The destination already has its one E.164 alias. */
  E164Taken = 'E164Taken',
  /** The alias domain is not a Kamailio domain. */
  DomainNotLocal = 'DomainNotLocal',
}

export class AliasesError extends DomainError<AliasesErrorCode> {}
