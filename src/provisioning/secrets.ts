import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { PROV_REALM } from './vendors';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

const hashName = (a: DigestAlgorithm) => (a === 'MD5' ? 'md5' : 'sha256');

export const digestHash = (a: DigestAlgorithm, text: string): string => createHash(hashName(a)).update(text, 'utf8').digest('hex');

/** RFC 7616 HA1 = H(username ":" realm ":" password), what the database keeps instead of the password. */
export const ha1 = (a: DigestAlgorithm, username: string, password: string, realm = PROV_REALM): string =>
  digestHash(a, `${username}:${realm}:${password}`);

/** The stored form of a token: its SHA-256 (a token is 256 random bits, so no salt or stretching is needed). */
export const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** A password phones can type and every vendor's config syntax takes as is (letters and digits only). */
export function newPassword(length = 24): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  for (const b of bytes) {
    if (b >= 256 - (256 % alphabet.length)) continue; // no modulo bias
    out += alphabet[b % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : newPassword(length);
}

/** A URL-safe token of 256 random bits. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** Constant-time comparison of two hex (or any ASCII) strings. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
