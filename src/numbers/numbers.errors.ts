import { DomainError } from '../common/domain-error';

/** Everything the numbers service can refuse; mapped to envelopes in NumbersExceptionFilter. */
export enum NumbersErrorCode {
  /** The number is not in the pool. */
  NotFound = 'NotFound',
  /** The number is already in the pool. */
  AlreadyExists = 'AlreadyExists',
  /** add_range: different country calling codes, start not below end, or too many numbers. */
  InvalidRange = 'InvalidRange',
}

export class NumbersError extends DomainError<NumbersErrorCode> {}
