import type { ProblemEnvelope } from './envelope';

/**
 * A module's answer for each of its error codes. Declare it `satisfies EnvelopeMap<Code, E>`
 * so that a code without an answer does not compile.
 */
export type EnvelopeMap<Code extends string, E> = Record<Code, (e: E) => ProblemEnvelope>;

/**
 * Base of every module's domain error: a code from the module's own enum, and words for the
 * client. The one global filter (AllExceptionsFilter) answers it with `envelope()`, which each
 * module implements with its exhaustive EnvelopeMap, and `headers()`.
 */
export abstract class DomainError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    readonly detail: string,
  ) {
    super(detail);
    this.name = new.target.name;
  }

  /** The envelope this error answers. */
  abstract envelope(): ProblemEnvelope;

  /** Extra response headers (none unless a module says so). */
  headers(): Record<string, string> {
    return {};
  }
}
