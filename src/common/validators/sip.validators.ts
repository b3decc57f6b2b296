import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { DOMAIN_MAX, HOST_PATTERN, isHost, isSipUser, SIP_USER_MAX, SIP_USER_PATTERN, splitAddress } from './patterns';

const lowerCase = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.toLowerCase() : value);

/** A SIP user part (RFC 3261 characters, at most 64). */
export function IsSipUsername(example = 'alice'): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name: 'isSipUsername',
      validator: {
        validate: isSipUser,
        defaultMessage: (a) => `${a?.property} must be a SIP user part: 1 to ${SIP_USER_MAX} RFC 3261 user characters`,
      },
    }),
    ApiProperty({ type: String, pattern: SIP_USER_PATTERN, maxLength: SIP_USER_MAX, example }),
  );
}

/** A SIP domain: a host name or IP literal, at most 64, stored and compared lower-case. */
export function IsSipDomain(example = 'sip.example.com'): PropertyDecorator {
  return applyDecorators(
    Transform(lowerCase),
    ValidateBy({
      name: 'isSipDomain',
      validator: {
        validate: (v) => isHost(v),
        defaultMessage: (a) => `${a?.property} must be a host name or IP literal of at most ${DOMAIN_MAX} characters`,
      },
    }),
    ApiProperty({ type: String, pattern: HOST_PATTERN, maxLength: DOMAIN_MAX, example }),
  );
}

/** A host (registrar, proxy): like a domain, up to 128 characters. */
export function IsHost(example = 'sip.example.net'): PropertyDecorator {
  return applyDecorators(
    Transform(lowerCase),
    ValidateBy({
      name: 'isHost',
      validator: {
        validate: (v) => isHost(v, 128),
        defaultMessage: (a) => `${a?.property} must be a host name or IP literal`,
      },
    }),
    ApiProperty({ type: String, pattern: HOST_PATTERN, maxLength: 128, example }),
  );
}

/** `user@domain`; the domain part is lower-cased. */
export function IsSipAddress(example = 'alice@sip.example.com'): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      const parts = splitAddress(value);
      return parts ? `${parts.username}@${parts.domain}` : value;
    }),
    ValidateBy({
      name: 'isSipAddress',
      validator: {
        validate: (v) => typeof v === 'string' && splitAddress(v) !== undefined,
        defaultMessage: (a) => `${a?.property} must be a SIP address user@domain`,
      },
    }),
    ApiProperty({ type: String, pattern: '^[^@]+@[^@]+$', example }),
  );
}
