import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { DOMAIN_MAX, HOST_PATTERN, isHost, isSipUser, SIP_USER_MAX, SIP_USER_PATTERN, splitAddress } from './patterns';
import { QueryRule, ruleConstraint, ruleTransform } from './query-rule';

const lowerCase = (value: unknown): unknown => (typeof value === 'string' ? value.toLowerCase() : value);

/** A SIP user part (RFC 3261 characters, at most 64). */
export const SIP_USERNAME_RULE: QueryRule = {
  name: 'isSipUsername',
  validate: isSipUser,
  message: (property) => `${property} must be a SIP user part: 1 to ${SIP_USER_MAX} RFC 3261 user characters`,
};

/** A SIP user part (RFC 3261 characters, at most 64). */
export function IsSipUsername(example = 'alice'): PropertyDecorator {
  return applyDecorators(
    ruleConstraint(SIP_USERNAME_RULE),
    ApiProperty({ type: String, pattern: SIP_USER_PATTERN, maxLength: SIP_USER_MAX, example }),
  );
}

/** A SIP domain: a host name or IP literal, at most 64, stored and compared lower-case. */
export const SIP_DOMAIN_RULE: QueryRule = {
  name: 'isSipDomain',
  transform: lowerCase,
  validate: (v) => isHost(v),
  message: (property) => `${property} must be a host name or IP literal of at most ${DOMAIN_MAX} characters`,
};

/** A SIP domain: a host name or IP literal, at most 64, stored and compared lower-case. */
export function IsSipDomain(example = 'sip.example.com'): PropertyDecorator {
  return applyDecorators(
    ...ruleTransform(SIP_DOMAIN_RULE),
    ruleConstraint(SIP_DOMAIN_RULE),
    ApiProperty({ type: String, pattern: HOST_PATTERN, maxLength: DOMAIN_MAX, example }),
  );
}

/** A host (registrar, proxy): like a domain, up to 128 characters. */
export function IsHost(example = 'sip.example.net'): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => lowerCase(value)),
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
export const SIP_ADDRESS_RULE: QueryRule = {
  name: 'isSipAddress',
  transform: (value) => {
    if (typeof value !== 'string') return value;
    const parts = splitAddress(value);
    return parts ? `${parts.username}@${parts.domain}` : value;
  },
  validate: (v) => typeof v === 'string' && splitAddress(v) !== undefined,
  message: (property) => `${property} must be a SIP address user@domain`,
};

/** `user@domain`; the domain part is lower-cased. */
export function IsSipAddress(example = 'alice@sip.example.com'): PropertyDecorator {
  return applyDecorators(
    ...ruleTransform(SIP_ADDRESS_RULE),
    ruleConstraint(SIP_ADDRESS_RULE),
    ApiProperty({ type: String, pattern: '^[^@]+@[^@]+$', example }),
  );
}

/** UserRefQueryDto's properties (username, domain, user), for the fast path of DTOs that extend it (fast-query.ts). */
export const USER_REF_FAST_FIELDS = {
  username: { rule: SIP_USERNAME_RULE },
  domain: { rule: SIP_DOMAIN_RULE },
  user: { rule: SIP_ADDRESS_RULE },
} as const;
