import { InvalidRequestError } from './envelope';
import { splitAddress } from './validators/patterns';

export interface Address {
  username: string;
  domain: string;
}

export const formatAddress = (a: Address): string => `${a.username}@${a.domain}`;

/**
 * Resolves the two (three, with `address`) ways of naming a user to one address.
 * Giving more than one form, or none, or half of username+domain, is `invalid`.
 */
export function resolveUserRef(q: { username?: string; domain?: string; user?: string; address?: string }): Address {
  const addressForms = (['user', 'address'] as const).filter((k) => q[k] !== undefined);
  const split = q.username !== undefined || q.domain !== undefined;
  if (addressForms.length + (split ? 1 : 0) > 1) {
    const param = addressForms[addressForms.length - 1];
    throw new InvalidRequestError(param, `name the user once: either ${param}=user@domain or username and domain`);
  }
  if (addressForms.length === 1) {
    const parts = splitAddress(q[addressForms[0]]!);
    if (!parts) throw new InvalidRequestError(addressForms[0], `${addressForms[0]} must be a SIP address user@domain`);
    return parts;
  }
  if (q.username === undefined && q.domain === undefined) {
    throw new InvalidRequestError('username', 'name the user: username and domain, or user=user@domain');
  }
  if (q.username === undefined) throw new InvalidRequestError('username', 'username is required with domain');
  if (q.domain === undefined) throw new InvalidRequestError('domain', 'domain is required with username');
  return { username: q.username, domain: q.domain };
}
