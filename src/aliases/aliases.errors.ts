import { DomainError, EnvelopeMap } from '../common/domain-error';
import { failed, ProblemEnvelope } from '../common/envelope';

/** Everything the aliases service can refuse; each code's envelope is in ALIASES_ENVELOPES. */
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

const ALIASES_ENVELOPES = {
  [AliasesErrorCode.NotFound]: (e) => failed('nonexistant', e.detail),
  [AliasesErrorCode.DestinationNotFound]: (e) => failed('nonexistant', e.detail),
  [AliasesErrorCode.AlreadyExists]: (e) => failed('exists', e.detail),
  [AliasesErrorCode.E164Taken]: (e) => failed('exists', e.detail),
  [AliasesErrorCode.DomainNotLocal]: (e) => failed('nxdomain', e.detail),
} satisfies EnvelopeMap<AliasesErrorCode, AliasesError>;

export class AliasesError extends DomainError<AliasesErrorCode> {
  envelope(): ProblemEnvelope {
    return ALIASES_ENVELOPES[this.code](this);
  }
}
