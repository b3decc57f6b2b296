export enum AuthErrorCode {
  Unauthenticated = 'Unauthenticated',
  Forbidden = 'Forbidden',
  KeyNameTaken = 'KeyNameTaken',
  KeyNotFound = 'KeyNotFound',
}

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}
