import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { E164_PATTERN, isE164, isMac, isPlainText, MAC_PATTERN, normalizeMac } from './patterns';
import { QueryRule, ruleConstraint, ruleTransform } from './query-rule';

const LIMIT_RE = /^[1-9][0-9]{0,8}$/;
const PORT_RE = /^[1-9][0-9]{0,4}$/;

/** `limit`: a positive integer (at most 999,999,999). */
export const LIMIT_RULE: QueryRule = {
  name: 'isLimit',
  transform: (value) => (typeof value === 'string' && LIMIT_RE.test(value) ? Number(value) : value),
  validate: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  message: () => 'limit must be a positive integer',
};

/** `limit`: a positive integer (at most 999,999,999). */
export function IsLimit(): PropertyDecorator {
  return applyDecorators(
    ...ruleTransform(LIMIT_RULE),
    ruleConstraint(LIMIT_RULE),
    ApiProperty({ type: 'integer', minimum: 1, maximum: 999_999_999, example: 10 }),
  );
}

/** A UDP/TCP port, 1 to 65535. */
export function IsPort(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && PORT_RE.test(value) ? Number(value) : value)),
    ValidateBy({
      name: 'isPort',
      validator: {
        validate: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535,
        defaultMessage: (a) => `${a?.property} must be a port number from 1 to 65535`,
      },
    }),
    ApiProperty({ type: 'integer', minimum: 1, maximum: 65535, example: 5060 }),
  );
}

/** An E.164 number with its plus; a leading space (an unencoded '+') is read as '+'. */
export const E164_RULE: QueryRule = {
  name: 'isE164',
  transform: (value) => (typeof value === 'string' && value.startsWith(' ') ? `+${value.slice(1)}` : value),
  validate: isE164,
  message: (property) => `${property} must be an E.164 number: + and 1 to 15 digits, the first 1-9 (encode + as %2B)`,
};

/** An E.164 number with its plus; a leading space (an unencoded '+') is read as '+'. */
export function IsE164(example = '+4761123456'): PropertyDecorator {
  return applyDecorators(
    ...ruleTransform(E164_RULE),
    ruleConstraint(E164_RULE),
    ApiProperty({ type: String, pattern: E164_PATTERN, example }),
  );
}

/** A MAC address, plain or colon/dash separated, any case; normalized to 12 lower-case hex digits. */
export const MAC_RULE: QueryRule = {
  name: 'isMac',
  // Transforms run before validation: only a valid MAC is normalized.
  transform: (value) => (typeof value === 'string' && isMac(value) ? normalizeMac(value) : value),
  validate: isMac,
  message: (property) => `${property} must be a MAC address: 12 hex digits, plain or separated by : or -`,
};

/** A MAC address, plain or colon/dash separated, any case; normalized to 12 lower-case hex digits. */
export function IsMac(): PropertyDecorator {
  return applyDecorators(
    ruleConstraint(MAC_RULE),
    ...ruleTransform(MAC_RULE),
    ApiProperty({ type: String, pattern: MAC_PATTERN, example: 'f00ba2ba5c00' }),
  );
}

/** A glob: `*` and `?` are wildcards; without any, the term matches anywhere. */
export function IsGlob(example = 'ali*'): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name: 'isGlob',
      validator: {
        validate: (v) => isPlainText(v, 128) && v.length > 0,
        defaultMessage: (a) => `${a?.property} must be a search pattern of 1 to 128 printable characters`,
      },
    }),
    ApiProperty({ type: String, maxLength: 128, example }),
  );
}

/** Free text without control characters, at most `max` long. */
export const plainTextRule = (max: number): QueryRule => ({
  name: 'isPlainText',
  validate: (v) => isPlainText(v, max),
  message: (property) => `${property} must be text of at most ${max} characters without control characters`,
});

/** Free text without control characters, at most `max` long; empty clears the field where allowed. */
export function IsPlainText(max: number, example?: string): PropertyDecorator {
  return applyDecorators(ruleConstraint(plainTextRule(max)), ApiProperty({ type: String, maxLength: max, example }));
}

/** `true` or `false` in a query string. */
export function IsBooleanString(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value)),
    ValidateBy({
      name: 'isBooleanString',
      validator: {
        validate: (v) => typeof v === 'boolean',
        defaultMessage: (a) => `${a?.property} must be true or false`,
      },
    }),
    ApiProperty({ type: Boolean, example: true }),
  );
}
