import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidRequestError } from './envelope';

/** Turns class-validator's findings into `invalid` with the parameter's name as cause. */
export function toInvalidRequest(errors: ValidationError[]): InvalidRequestError {
  const first = errors[0];
  if (!first) return new InvalidRequestError('request', 'the request is invalid');
  const param = first.property;
  if (Array.isArray(first.value)) return new InvalidRequestError(param, `${param} is given more than once`);
  const constraints = first.constraints ?? {};
  if ('whitelistValidation' in constraints) return new InvalidRequestError(param, `unknown parameter ${param}`);
  const messages = Object.values(constraints);
  return new InvalidRequestError(param, messages[messages.length - 1] ?? `${param} is invalid`);
}

/** The global pipe: query strings become typed DTOs; unknown or repeated parameters are invalid. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: false,
    stopAtFirstError: true,
    validationError: { target: false, value: true },
    exceptionFactory: toInvalidRequest,
  });
}
