import { DomainError } from '../common/domain-error';

/** Everything the phones service can refuse; mapped to envelopes in PhonesExceptionFilter. */
export enum PhonesErrorCode {
  /** No such phone, no such user, or no such association. */
  NotFound = 'NotFound',
  /** The association is already there. */
  AlreadyExists = 'AlreadyExists',
}

export class PhonesError extends DomainError<PhonesErrorCode> {}
