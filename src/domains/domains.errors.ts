/** Everything the domains service can refuse; mapped to envelopes in DomainsExceptionFilter. */
export enum DomainsErrorCode {
  NotFound = 'NotFound',
  AlreadyExists = 'AlreadyExists',
  /** Users, subscribers or aliases still live in the domain. */
  InUse = 'InUse',
}

export class DomainsError extends Error {
  constructor(
    readonly code: DomainsErrorCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}
