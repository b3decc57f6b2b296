import { hashHex } from '../common/one-shot-hash';

const md5 = (s: string): string => hashHex('md5', s);

/** Kamailio auth_db `ha1`: MD5(username:realm:password), realm = the user's domain. */
export function computeHa1(username: string, domain: string, password: string): string {
  return md5(`${username}:${domain}:${password}`);
}

/** Kamailio auth_db `ha1b`: MD5(username@domain:realm:password), for clients that send user@domain as username. */
export function computeHa1b(username: string, domain: string, password: string): string {
  return md5(`${username}@${domain}:${domain}:${password}`);
}
