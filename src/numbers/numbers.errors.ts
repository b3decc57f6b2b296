import { DomainError, EnvelopeMap } from '../common/domain-error';
import { failed, invalid, ProblemEnvelope } from '../common/envelope';

/** Everything the numbers service can refuse; each code's envelope is in NUMBERS_ENVELOPES. */
export enum NumbersErrorCode {
  /** The number is not in the pool. */
  NotFound = 'NotFound',
  /** The number is already in the pool. */
  AlreadyExists = 'AlreadyExists',
  /** add_range: different country calling codes, start not below end, or too many numbers. */
  InvalidRange = 'InvalidRange',
}

const NUMBERS_ENVELOPES = {
  [NumbersErrorCode.NotFound]: (e) => failed('nonexistant', e.detail),
  [NumbersErrorCode.AlreadyExists]: (e) => failed('exists', e.detail),
  [NumbersErrorCode.InvalidRange]: (e) => invalid('range', e.detail),
} satisfies EnvelopeMap<NumbersErrorCode, NumbersError>;

export class NumbersError extends DomainError<NumbersErrorCode> {
  envelope(): ProblemEnvelope {
    return NUMBERS_ENVELOPES[this.code](this);
  }
}
