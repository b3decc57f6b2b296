/** Base of every module's domain error: a code from the module's own enum, and words for the client. */
export abstract class DomainError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    readonly detail: string,
  ) {
    super(detail);
    this.name = new.target.name;
  }
}
