import { ArgumentMetadata, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { InvalidRequestError } from './envelope';
import { fastQueryOf } from './validators/fast-query';

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

/**
 * Names class-transformer never copies onto a DTO (it skips keys that name a function or
 * accessor of the target, and `__proto__` would set its prototype), so the whitelist never
 * sees them: `constructor`, `toString`, `hasOwnProperty`, `__proto__`, ...
 */
const PROTOTYPE_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

/** The first query parameter named like an Object.prototype member, if any. */
export function prototypeNamedParameter(query: unknown): string | undefined {
  if (!query || typeof query !== 'object') return undefined;
  // Fastify's query object has no prototype: these names are own keys like any other.
  return Object.keys(query).find((name) => PROTOTYPE_NAMES.has(name));
}

/** Refuses a query with a parameter named like an Object.prototype member (invalid, as unknown). */
function refusePrototypeNames(query: unknown): void {
  const name = prototypeNamedParameter(query);
  if (name !== undefined) throw new InvalidRequestError(name, `unknown parameter ${name}`);
}

/**
 * What the global pipe does with a query whose DTO has a fast path (validators/fast-query.ts),
 * as one function: the DTO, or the pipe's InvalidRequestError. Undefined when the DTO has no
 * fast path. The lean routes (lean-route.ts) validate with this.
 */
export function fastQueryPipe(metatype: unknown): ((query: Record<string, unknown>) => object) | undefined {
  const fast = fastQueryOf(metatype);
  if (!fast) return undefined;
  return (query) => {
    refusePrototypeNames(query);
    return fast(query);
  };
}

/**
 * The global pipe: query strings become typed DTOs; unknown or repeated parameters are
 * invalid, those named like Object.prototype's members too. The DTOs of the hottest nodes
 * take a fast path (validators/fast-query.ts) that gives the same DTO or the same error
 * without class-transformer and class-validator; `fastPaths: false` turns it off (tests
 * compare both).
 */
export class QueryValidationPipe extends ValidationPipe {
  constructor(
    options: ValidationPipeOptions,
    private readonly fastPaths = true,
  ) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query') {
      refusePrototypeNames(value);
      const fast = this.fastPaths ? fastQueryOf(metadata.metatype) : undefined;
      // Fastify's query is always an object (without a prototype).
      if (fast && value && typeof value === 'object') return fast(value as Record<string, unknown>);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** The global pipe: query strings become typed DTOs; unknown or repeated parameters are invalid. */
export function createValidationPipe(options: { fastPaths?: boolean } = {}): ValidationPipe {
  return new QueryValidationPipe(
    {
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
      stopAtFirstError: true,
      validationError: { target: false, value: true },
      exceptionFactory: toInvalidRequest,
    },
    options.fastPaths ?? true,
  );
}
