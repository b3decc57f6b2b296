import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { splitAddress } from './patterns';

/** A leading space in a query value is an unencoded '+' (E.164 user parts such as `+4761123456`). */
export function plusFromSpace(value: string): string {
  return value.startsWith(' ') ? `+${value.slice(1)}` : value;
}

/**
 * `user@domain` where the user part may be an E.164 number whose '+' arrived unencoded
 * (as a space); the domain part is lower-cased. For alias and destination addresses.
 */
export function IsAliasAddress(example = 'alice@sip.example.com'): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      const parts = splitAddress(plusFromSpace(value));
      return parts ? `${parts.username}@${parts.domain}` : value;
    }),
    ValidateBy({
      name: 'isAliasAddress',
      validator: {
        validate: (v) => typeof v === 'string' && splitAddress(v) !== undefined,
        defaultMessage: (a) => `${a?.property} must be a SIP address user@domain (encode a leading + as %2B)`,
      },
    }),
    ApiProperty({ type: String, pattern: '^[^@]+@[^@]+$', example }),
  );
}

/**
 * A single query value, kept as text; checked later as part of an address whose fault
 * has its own cause (`alias`, `address`). Only a repeated parameter is refused here.
 */
export function IsQueryText(example?: string): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name: 'isQueryText',
      validator: {
        validate: (v) => v === undefined || typeof v === 'string',
        defaultMessage: (a) => `${a?.property} must be given once`,
      },
    }),
    ApiProperty({ type: String, example }),
  );
}
