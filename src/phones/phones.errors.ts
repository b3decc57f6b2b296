import { DomainError, EnvelopeMap } from '../common/domain-error';
import { failed, invalid, ProblemEnvelope } from '../common/envelope';

/** Everything the phones service can refuse; each code's envelope is in PHONES_ENVELOPES. */
export enum PhonesErrorCode {
  /** No such phone, no such user, or no such association. */
  NotFound = 'NotFound',
  /** The association is already there. */
  AlreadyExists = 'AlreadyExists',
  /** The phone still carries users (phone/remove of the device record). */
  InUse = 'InUse',
  /** A provisioning template failed to parse or render (phone/config). */
  Template = 'Template',
}

const PHONES_ENVELOPES = {
  [PhonesErrorCode.NotFound]: (e) => failed('nonexistant', e.detail),
  [PhonesErrorCode.AlreadyExists]: (e) => failed('exists', e.detail),
  [PhonesErrorCode.InUse]: (e) => failed('inuse', e.detail),
  [PhonesErrorCode.Template]: (e) => invalid('template', e.detail),
} satisfies EnvelopeMap<PhonesErrorCode, PhonesError>;

export class PhonesError extends DomainError<PhonesErrorCode> {
  envelope(): ProblemEnvelope {
    return PHONES_ENVELOPES[this.code](this);
  }
}
