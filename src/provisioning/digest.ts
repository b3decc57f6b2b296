import { createHmac, randomBytes } from 'node:crypto';
import { DigestAlgorithm, digestHash, sameSecret } from './secrets';
import { PROV_REALM } from './vendors';

/** The parameters of an `Authorization: Digest ...` header. */
export type DigestParams = Record<string, string>;

/** Parses `Digest k=v, k="v", ...` (RFC 7616 section 3.4); undefined when it is not Digest. */
export function parseDigest(header: string | undefined): DigestParams | undefined {
  if (!header) return undefined;
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return undefined;
  const params: DigestParams = {};
  const re = /\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/gy;
  const rest = m[1];
  let at = 0;
  while (at < rest.length) {
    re.lastIndex = at;
    const p = re.exec(rest);
    if (!p) return undefined;
    const key = p[1].toLowerCase();
    if (key in params) return undefined; // a repeated parameter is not a credential we accept
    params[key] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
    at = re.lastIndex;
  }
  return params;
}

/** What Digest verification needs of a phone: its HA1s (realm `kamprov`). */
export interface DigestSecrets {
  ha1Md5: string | null;
  ha1Sha256: string | null;
}

export type DigestOutcome = { ok: true; nonce: string; expiresAt: number } | { ok: false; stale: boolean; reason: string };

/**
 * Stateless Digest nonces: `<time>.<random>.<HMAC(key, time.random)>`. Any instance that
 * shares the key (kamprov_prov_keys, one per database) can check a nonce's signature and age
 * without remembering having issued it; that a nonce is used only once is kept in the
 * database (see NonceStore), so every instance agrees on it too.
 */
export class DigestVerifier {
  constructor(
    private readonly key: string,
    private readonly ttlMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  newNonce(): string {
    const body = `${this.nowMs().toString(36)}.${randomBytes(12).toString('base64url')}`;
    return `${body}.${this.sign(body)}`;
  }

  /** The challenges, preferred first (RFC 7616 section 3.7): SHA-256, then MD5. */
  challenges(stale = false): string[] {
    const nonce = this.newNonce();
    const opaque = this.sign('opaque').slice(0, 16);
    return (['SHA-256', 'MD5'] as const).map(
      (a) => `Digest realm="${PROV_REALM}", qop="auth", algorithm=${a}, nonce="${nonce}", opaque="${opaque}"${stale ? ', stale=true' : ''}`,
    );
  }

  /**
   * Checks a Digest answer for `username` (the phone's MAC) and the request's method and URI.
   * The caller records the nonce as used (and refuses it if it was) only when this says ok.
   */
  verify(params: DigestParams, method: string, uri: string, username: string, secrets: DigestSecrets | undefined): DigestOutcome {
    const algorithm = (params.algorithm ?? 'MD5').toUpperCase();
    if (algorithm !== 'MD5' && algorithm !== 'SHA-256') return { ok: false, stale: false, reason: `algorithm ${algorithm} is not offered` };
    if (params.realm !== PROV_REALM) return { ok: false, stale: false, reason: 'wrong realm' };
    if (params.qop !== 'auth') return { ok: false, stale: false, reason: 'qop=auth is required' };
    if (!params.nonce || !params.nc || !params.cnonce || !params.response || !params.uri) {
      return { ok: false, stale: false, reason: 'incomplete credentials' };
    }
    if (!/^[0-9a-fA-F]{8}$/.test(params.nc)) return { ok: false, stale: false, reason: 'bad nc' };
    if (params.uri !== uri) return { ok: false, stale: false, reason: 'the uri does not match the request' };
    const issued = this.issuedAt(params.nonce);
    if (issued === undefined) return { ok: false, stale: false, reason: 'forged nonce' };
    const expiresAt = issued + this.ttlMs;
    if (expiresAt < this.nowMs() || issued > this.nowMs() + 60_000) return { ok: false, stale: true, reason: 'expired nonce' };
    if (params.username !== username)
      return { ok: false, stale: false, reason: `credentials of ${params.username.slice(0, 32)}, not ${username}` };
    const a: DigestAlgorithm = algorithm;
    const ha1 = a === 'MD5' ? secrets?.ha1Md5 : secrets?.ha1Sha256;
    // Without a secret the answer is computed anyway against a random HA1, so that a
    // known and an unknown MAC take the same path.
    const key = ha1 ?? randomBytes(32).toString('hex');
    const ha2 = digestHash(a, `${method}:${params.uri}`);
    const expected = digestHash(a, `${key}:${params.nonce}:${params.nc}:${params.cnonce}:${params.qop}:${ha2}`);
    if (!sameSecret(expected, params.response.toLowerCase()) || !ha1) return { ok: false, stale: false, reason: 'wrong credentials' };
    return { ok: true, nonce: params.nonce, expiresAt };
  }

  private issuedAt(nonce: string): number | undefined {
    const parts = nonce.split('.');
    if (parts.length !== 3) return undefined;
    const body = `${parts[0]}.${parts[1]}`;
    if (!sameSecret(this.sign(body), parts[2])) return undefined;
    const t = parseInt(parts[0], 36);
    return Number.isFinite(t) ? t : undefined;
  }

  private sign(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url').slice(0, 32);
  }
}

/** A client's Digest answer, computed (for tests and the interop suite's fetcher). */
export function digestAuthorization(
  challenge: string,
  creds: { username: string; password: string },
  method: string,
  uri: string,
  cnonce = randomBytes(8).toString('hex'),
  nc = '00000001',
): string {
  const p = parseDigest(challenge)!;
  const a = (p.algorithm ?? 'MD5').toUpperCase() as DigestAlgorithm;
  const ha1 = digestHash(a, `${creds.username}:${p.realm}:${creds.password}`);
  const ha2 = digestHash(a, `${method}:${uri}`);
  const response = digestHash(a, `${ha1}:${p.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="${creds.username}", realm="${p.realm}", nonce="${p.nonce}", uri="${uri}", algorithm=${a}, ` +
    `qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", opaque="${p.opaque ?? ''}"`
  );
}
