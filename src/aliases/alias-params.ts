import { InvalidRequestError } from '../common/envelope';
import { Address } from '../common/user-ref';
import { plusFromSpace } from '../common/validators/alias-address.validators';
import { DOMAIN_MAX, isHost, isSipUser, SIP_USER_MAX, splitAddress } from '../common/validators/patterns';

/**
 * The alias address from alias_username + alias_domain. Anything wrong with it (missing,
 * not RFC 3261 user characters, not a host) is `invalid` with the seed's cause: `alias`
 * for alias/add, `address` for alias/remove.
 */
export function resolveAliasParts(q: { alias_username?: string; alias_domain?: string }, cause: 'alias' | 'address'): Address {
  if (q.alias_username === undefined || q.alias_domain === undefined) {
    throw new InvalidRequestError(cause, 'give the alias as alias_username and alias_domain');
  }
  const username = plusFromSpace(q.alias_username);
  if (!isSipUser(username)) {
    throw new InvalidRequestError(cause, `alias_username must be a SIP user part: 1 to ${SIP_USER_MAX} RFC 3261 user characters`);
  }
  const domain = q.alias_domain.toLowerCase();
  if (!isHost(domain)) {
    throw new InvalidRequestError(cause, `alias_domain must be a host name or IP literal of at most ${DOMAIN_MAX} characters`);
  }
  return { username, domain };
}

/** A validated `user@domain` query value (the DTO checked it) as an address. */
export function toAddress(value: string): Address {
  const parts = splitAddress(value);
  if (!parts) throw new InvalidRequestError('address', `${value} is not a SIP address`);
  return parts;
}

/** alias/list needs `destination` or `alias` (or both). */
export function resolveAliasFilter(q: { destination?: string; alias?: string }): { destination?: Address; alias?: Address } {
  if (q.destination === undefined && q.alias === undefined) {
    throw new InvalidRequestError('destination', 'give destination=user@domain or alias=user@domain');
  }
  return {
    destination: q.destination === undefined ? undefined : toAddress(q.destination),
    alias: q.alias === undefined ? undefined : toAddress(q.alias),
  };
}
