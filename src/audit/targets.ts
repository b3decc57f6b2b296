import type { AuditQuery } from '../common/api-node.decorator';
import { isMac, normalizeMac } from '../common/validators/patterns';

/**
 * The audit targets of the write nodes (`@ApiNode({ audit })`): what a call acts on, taken
 * from its query (a refused call is recorded too, so the values may be anything). Never a
 * password. Targets are normalised before they are stored: control and invisible formatting
 * characters removed, blanks trimmed, a leading space before a digit read as the `+` it was
 * sent as (an unencoded `+` arrives as a space), domains lower-cased, MACs as 12 lower-case
 * hex digits.
 */

/** C0 and C1 controls, DEL, and the invisible/bidirectional formatting characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** One value of the query, normalised for the audit trail. */
export function cleanTargetPart(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const s = value.replace(UNPRINTABLE, '');
  return (/^ +\d/.test(s) ? `+${s.trimStart()}` : s).trim();
}

/** `user@domain` with the domain lower-cased (split at the last `@`). */
function address(value: string | undefined): string | undefined {
  const v = cleanTargetPart(value);
  if (v === undefined) return undefined;
  const at = v.lastIndexOf('@');
  return at < 0 ? v : `${v.slice(0, at)}@${v.slice(at + 1).toLowerCase()}`;
}

const domainOf = (q: AuditQuery, name = 'domain'): string | undefined => cleanTargetPart(q[name])?.toLowerCase();

/** A user named by `user=`, `address=` or `username` + `domain`, if named at all. */
const userRef = (q: AuditQuery): string | undefined =>
  address(q.user) ?? address(q.address) ?? (q.username !== undefined ? `${cleanTargetPart(q.username)}@${domainOf(q) ?? ''}` : undefined);

/** user/*: the user's address. */
export const userTarget = (q: AuditQuery): string => userRef(q) ?? domainOf(q) ?? '';

/** A MAC as 12 lower-case hex digits when it is one, else as sent (cleaned). */
const macOf = (q: AuditQuery): string | undefined => {
  const mac = cleanTargetPart(q.mac);
  return mac !== undefined && isMac(mac) ? normalizeMac(mac) : mac;
};

/** phone/add, phone/remove: `<mac> <user>` (the phone and the user put on or taken off it). */
export const phoneUserTarget = (q: AuditQuery): string =>
  [macOf(q), userRef(q)].filter((p) => p !== undefined && p !== '').join(' ') || (domainOf(q) ?? '');

/** alias/*: the alias' address. */
export const aliasTarget = (q: AuditQuery): string =>
  q.alias_username !== undefined ? `${cleanTargetPart(q.alias_username)}@${domainOf(q, 'alias_domain') ?? ''}` : '';

/** numbers/add, numbers/remove: the number. */
export const numberTarget = (q: AuditQuery): string => cleanTargetPart(q.number) ?? '';

/** numbers/add_range: `start..end`. */
export const rangeTarget = (q: AuditQuery): string =>
  q.start !== undefined ? `${cleanTargetPart(q.start)}..${cleanTargetPart(q.end) ?? ''}` : '';

/** domain/*: the domain. */
export const domainTarget = (q: AuditQuery): string => domainOf(q) ?? '';

/** phone/set, phone/secret: the phone's MAC (12 lower-case hex digits). */
export const macTarget = (q: AuditQuery): string => macOf(q) ?? '';
