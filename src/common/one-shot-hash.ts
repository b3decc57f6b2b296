import * as crypto from 'node:crypto';

type OneShot = {
  (algorithm: string, data: string, encoding: 'hex'): string;
  (algorithm: string, data: string, encoding: 'buffer'): Buffer;
};

/** Node's one-shot hash (20.12+: no Hash object per call) where there is one. */
const oneShot = (crypto as { hash?: OneShot }).hash;

/** The digest of a UTF-8 string, as hex. */
export function hashHex(algorithm: string, data: string): string {
  return oneShot ? oneShot(algorithm, data, 'hex') : crypto.createHash(algorithm).update(data, 'utf8').digest('hex');
}

/** The digest of a UTF-8 string, as bytes. */
export function hashBytes(algorithm: string, data: string): Buffer {
  return oneShot ? oneShot(algorithm, data, 'buffer') : crypto.createHash(algorithm).update(data, 'utf8').digest();
}
