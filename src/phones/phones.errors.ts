import { DomainError } from '../common/domain-error';

/** Everything the phones service can refuse; mapped to envelopes in PhonesExceptionFilter. */
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

export class PhonesError extends DomainError<PhonesErrorCode> {}
