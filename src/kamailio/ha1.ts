import * as crypto from 'node:crypto';

/** Node's one-shot hash (20.12+: no Hash object per call) where there is one. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const md5 = oneShot
  ? (s: string): string => oneShot('md5', s, 'hex')
  : (s: string): string => crypto.createHash('md5').update(s, 'utf8').digest('hex');

/** Kamailio auth_db `ha1`: MD5(username:realm:password), realm = the user's domain. */
export function computeHa1(username: string, domain: string, password: string): string {
  return md5(`${username}:${domain}:${password}`);
}

/** Kamailio auth_db `ha1b`: MD5(username@domain:realm:password), for clients that send user@domain as username. */
export function computeHa1b(username: string, domain: string, password: string): string {
  return md5(`${username}@${domain}:${domain}:${password}`);
}
