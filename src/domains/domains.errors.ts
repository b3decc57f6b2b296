import { DomainError, EnvelopeMap } from '../common/domain-error';
import { failed, ProblemEnvelope } from '../common/envelope';

/** Everything the domains service can refuse; each code's envelope is in DOMAINS_ENVELOPES. */
export enum DomainsErrorCode {
  NotFound = 'NotFound',
  AlreadyExists = 'AlreadyExists',
  /** Users, subscribers or aliases still live in the domain. */
  InUse = 'InUse',
}

const DOMAINS_ENVELOPES = {
  [DomainsErrorCode.NotFound]: (e) => failed('nonexistant', e.detail),
  [DomainsErrorCode.AlreadyExists]: (e) => failed('exists', e.detail),
  [DomainsErrorCode.InUse]: (e) => failed('inuse', e.detail),
} satisfies EnvelopeMap<DomainsErrorCode, DomainsError>;

export class DomainsError extends DomainError<DomainsErrorCode> {
  envelope(): ProblemEnvelope {
    return DOMAINS_ENVELOPES[this.code](this);
  }
}
