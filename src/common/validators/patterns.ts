import { isIPv6 } from 'node:net';

/** RFC 3261 `user`: unreserved, user-unreserved and %-escapes. Kamailio's column holds 64. */
export const SIP_USER_PATTERN = "^(?:[A-Za-z0-9\\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$";
const SIP_USER_RE = new RegExp(SIP_USER_PATTERN);
export const SIP_USER_MAX = 64;

/** A host name (labels of letters, digits and hyphens) or an IPv4 literal; IPv6 as [addr]. */
export const HOST_PATTERN =
  '^(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\\.(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?))*|\\[[0-9A-Fa-f:.]+\\])$';
const HOST_RE = new RegExp(HOST_PATTERN);
export const DOMAIN_MAX = 64;

export const E164_PATTERN = '^\\+[1-9][0-9]{0,14}$';
const E164_RE = new RegExp(E164_PATTERN);

export const MAC_PATTERN = '^(?:[0-9A-Fa-f]{12}|[0-9A-Fa-f]{2}(?:([:-])[0-9A-Fa-f]{2})(?:\\1[0-9A-Fa-f]{2}){4})$';
const MAC_RE = new RegExp(MAC_PATTERN);

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

export function isSipUser(value: unknown): value is string {
  return typeof value === 'string' && value.length <= SIP_USER_MAX && SIP_USER_RE.test(value);
}

export function isHost(value: unknown, max = DOMAIN_MAX): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !HOST_RE.test(value)) return false;
  if (value.startsWith('[')) return isIPv6(value.slice(1, -1));
  return true;
}

/** `user@domain`, split at the '@' (a SIP user part cannot hold one). */
export function splitAddress(value: string): { username: string; domain: string } | undefined {
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@')) return undefined;
  const username = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  return isSipUser(username) && isHost(domain) ? { username, domain } : undefined;
}

export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164_RE.test(value);
}

/** A MAC in plain, colon- or dash-separated form; normalizeMac gives 12 lower-case digits. */
export function isMac(value: unknown): value is string {
  return typeof value === 'string' && MAC_RE.test(value);
}

export function normalizeMac(value: string): string {
  return value.replace(/[:-]/g, '').toLowerCase();
}

export function isPlainText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max && !CONTROL_RE.test(value);
}
