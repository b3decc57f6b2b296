import { DomainError } from '../common/domain-error';

export enum AuthErrorCode {
  Unauthenticated = 'Unauthenticated',
  Forbidden = 'Forbidden',
  KeyNameTaken = 'KeyNameTaken',
  KeyNotFound = 'KeyNotFound',
}

export class AuthError extends DomainError<AuthErrorCode> {}
