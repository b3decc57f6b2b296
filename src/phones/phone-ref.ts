import { InvalidRequestError } from '../common/envelope';
import { Address, resolveUserRef } from '../common/user-ref';

export type PhoneGetTarget = { mac: string } | { address: Address };

/** phone/get names either the phone (`mac`) or a user (`user=` or `username`+`domain`), never both. */
export function resolvePhoneGet(q: { mac?: string; user?: string; username?: string; domain?: string }): PhoneGetTarget {
  const userGiven = q.user !== undefined || q.username !== undefined || q.domain !== undefined;
  if (q.mac !== undefined) {
    if (userGiven) throw new InvalidRequestError('mac', 'name either the phone (mac) or a user, not both');
    return { mac: q.mac };
  }
  if (!userGiven) throw new InvalidRequestError('mac', 'name the phone (mac=) or a user (user= or username and domain)');
  return { address: resolveUserRef(q) };
}
