import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

const SEARCH_MAX = 64;

/** What a MAC search may hold once normalized: hex digits and the glob wildcards. */
export const MAC_GLOB_PATTERN = '^[0-9A-Fa-f*?:-]+$';
const MAC_GLOB_RE = /^[0-9a-f*?]+$/;

/**
 * A glob over MAC addresses (`*`, `?`; without wildcards it matches anywhere). MACs are
 * stored as 12 lower-case hex digits, so the search is lower-cased and `:`/`-`
 * separators are dropped (`F0:0B*` searches `f00b*`). Anything else can never match
 * and is invalid.
 */
export function IsMacGlob(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && value.length <= SEARCH_MAX ? value.toLowerCase().replace(/[:-]/g, '') : value,
    ),
    ValidateBy({
      name: 'isMacGlob',
      validator: {
        validate: (v) => typeof v === 'string' && MAC_GLOB_RE.test(v),
        defaultMessage: (a) => `${a?.property} must be a MAC search: hex digits (optionally : or - separated) and the wildcards * and ?`,
      },
    }),
    ApiProperty({ type: String, pattern: MAC_GLOB_PATTERN, maxLength: SEARCH_MAX, example: 'f00ba2*' }),
  );
}

export const NUMBER_GLOB_PATTERN = '^\\+?[0-9*?]+$';
const NUMBER_GLOB_RE = /^\+?[0-9*?]+$/;

/**
 * A glob over E.164 numbers as they are answered (`+4761123456`): digits, `*`, `?` and
 * an optional leading `+`; without wildcards it matches anywhere. A leading space (an
 * unencoded `+`) is read as `+`, as for E.164 parameters.
 */
export function IsNumberGlob(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value.startsWith(' ') ? `+${value.slice(1)}` : value)),
    ValidateBy({
      name: 'isNumberGlob',
      validator: {
        validate: (v) => typeof v === 'string' && v.length <= SEARCH_MAX && NUMBER_GLOB_RE.test(v),
        defaultMessage: (a) =>
          `${a?.property} must be a number search: digits and the wildcards * and ?, optionally after a leading + (encode it as %2B)`,
      },
    }),
    ApiProperty({ type: String, pattern: NUMBER_GLOB_PATTERN, maxLength: SEARCH_MAX, example: '+4761*' }),
  );
}
