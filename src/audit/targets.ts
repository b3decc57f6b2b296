import type { AuditQuery } from '../common/api-node.decorator';

/**
 * The audit targets of the write nodes (`@ApiNode({ audit })`): what a call acts on, taken
 * from its query as the client sent it (a refused call is recorded too). Never a password.
 */

/** A user named by `user=`, `address=` or `username` + `domain`, if named at all. */
const userRef = (q: AuditQuery): string | undefined =>
  q.user ?? q.address ?? (q.username !== undefined ? `${q.username}@${q.domain ?? ''}` : undefined);

/** user/*: the user's address. */
export const userTarget = (q: AuditQuery): string => userRef(q) ?? q.domain ?? '';

/** phone/add, phone/remove: the user put on or taken off the phone, else the MAC. */
export const phoneUserTarget = (q: AuditQuery): string => userRef(q) ?? q.mac ?? q.domain ?? '';

/** alias/*: the alias' address. */
export const aliasTarget = (q: AuditQuery): string =>
  q.alias_username !== undefined ? `${q.alias_username}@${q.alias_domain ?? ''}` : '';

/** numbers/add, numbers/remove: the number. */
export const numberTarget = (q: AuditQuery): string => q.number ?? '';

/** numbers/add_range: `start..end`. */
export const rangeTarget = (q: AuditQuery): string => (q.start !== undefined ? `${q.start}..${q.end ?? ''}` : '');

/** domain/*: the domain. */
export const domainTarget = (q: AuditQuery): string => q.domain ?? '';

/** phone/set, phone/secret: the phone's MAC. */
export const macTarget = (q: AuditQuery): string => q.mac ?? '';
