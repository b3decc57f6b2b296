import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashBytes } from '../common/one-shot-hash';
import { DataSource, IsNull } from 'typeorm';
import type { AllConfig } from '../config/config.types';
import { isUniqueViolation } from '../database/db-errors';
import { SqlDialect } from '../database/sql-dialect';
import { Transactor } from '../database/transactor';
import { ApiKeyEntity } from './entities/api-key.entity';
import { AuthError, AuthErrorCode } from './auth.errors';
import type { Role } from '../common/roles';
import { type LogScope, ScopedLogger } from '../logging/scoped-logger';

/** Who is calling: the key's name and role (`bootstrap` for BOOTSTRAP_API_KEY). */
export interface ApiKeyIdentity {
  /** The key's row id (`bootstrap` for BOOTSTRAP_API_KEY): its rate-limit bucket. */
  id: string;
  name: string;
  role: Role;
}

export interface ApiKeyView {
  name: string;
  role: Role;
  created: string;
  lastUsed: string | null;
  revoked: string | null;
}

/** Keys look like `kp_<12 hex>_<32 base64url>`: 192 random bits, and a recognizable prefix. */
const KEY_RE = /^kp_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/;
// Once per request (the presented key): Node's one-shot hash.
const sha256 = (s: string): Buffer => hashBytes('sha256', s);
/** last_used_at is refreshed at most this often, so reads do not become writes. */
const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * How long a process trusts a key row it has read (README, Security): a key revoked (or
 * its role changed) elsewhere, by the keys CLI or another instance, is refused by every
 * instance within this time; a revocation through this process's own service at once.
 * Only valid keys are kept, so a key created elsewhere works at once.
 */
export const KEY_CACHE_TTL_MS = 2_000;

interface KeyRow {
  id: number;
  name: string;
  role: Role;
  key_hash: string;
  last_used_at: Date | string | null;
}

/** A key row as this process last read it, and when. */
interface CachedKey {
  readAt: number;
  row: Promise<KeyRow | undefined>;
  /** The row once `row` has settled with it (a key in use is then verified without a promise), and its hash's bytes. */
  settled?: { row: KeyRow; hash: Buffer };
  /** When last_used_at was last written (or read), in ms. */
  lastUsed: number;
}

export const INITIAL_KEY_NAME = 'initial-admin';
/** BOOTSTRAP_API_KEY's name in the audit trail and the logs: no stored key may take it. */
export const RESERVED_KEY_NAME = 'bootstrap';
/** What a key name may be (unique regardless of case: migration KeyNames). */
export const KEY_NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** Why a key may not be named so, or undefined. */
export function keyNameProblem(name: string): string | undefined {
  if (!KEY_NAME_RE.test(name)) return 'a key name is 1 to 64 of A-Z a-z 0-9 . _ -';
  if (name.toLowerCase() === RESERVED_KEY_NAME) return `${RESERVED_KEY_NAME} is reserved for BOOTSTRAP_API_KEY`;
  return undefined;
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new ScopedLogger('ApiKeys');
  private readonly bootstrapHash: Buffer | undefined;
  /** Verified key rows by key id, for KEY_CACHE_TTL_MS (one lookup in flight per key id). */
  private readonly cache = new Map<string, CachedKey>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactor: Transactor,
    private readonly dialect: SqlDialect,
    config: ConfigService<AllConfig, true>,
  ) {
    const bootstrap = config.get('app', { infer: true }).bootstrapApiKey;
    this.bootstrapHash = bootstrap ? sha256(bootstrap) : undefined;
  }

  /** Creates a key and returns it: the only time it is ever seen. */
  async create(name: string, role: Role): Promise<{ key: string; name: string; role: Role }> {
    const problem = keyNameProblem(name);
    if (problem) throw new AuthError(AuthErrorCode.KeyNameInvalid, problem);
    const keyId = randomBytes(6).toString('hex');
    const key = `kp_${keyId}_${randomBytes(24).toString('base64url')}`;
    try {
      await this.transactor.serialized((em) =>
        em.getRepository(ApiKeyEntity).insert({
          name,
          role,
          keyId,
          keyHash: sha256(key).toString('hex'),
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new AuthError(AuthErrorCode.KeyNameTaken, `a key named ${name} exists`);
      throw err;
    }
    return { key, name, role };
  }

  async list(): Promise<ApiKeyView[]> {
    const rows = await this.dataSource.getRepository(ApiKeyEntity).find({ order: { id: 'ASC' } });
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    return rows.map((r) => ({
      name: r.name,
      role: r.role,
      created: new Date(r.createdAt).toISOString(),
      lastUsed: iso(r.lastUsedAt),
      revoked: iso(r.revokedAt),
    }));
  }

  async revoke(name: string): Promise<void> {
    const result = await this.transactor.serialized((em) =>
      em.getRepository(ApiKeyEntity).update({ name, revokedAt: IsNull() }, { revokedAt: new Date() }),
    );
    // This process refuses it at once; other processes within KEY_CACHE_TTL_MS.
    this.cache.clear();
    if ((result.affected ?? 0) === 0) throw new AuthError(AuthErrorCode.KeyNotFound, `no active key named ${name}`);
  }

  /**
   * The caller behind a presented key, or undefined. Hashes are compared in constant time.
   * Answered at once (no promise) when the key's row is in the cache, as it is for a key in use.
   * `scope` is the request presenting it (required, so that no caller forgets it): what the
   * key's bookkeeping logs for it carries its `reqId`.
   */
  verify(presented: string, scope: LogScope | undefined): ApiKeyIdentity | undefined | Promise<ApiKeyIdentity | undefined> {
    const hash = sha256(presented);
    if (this.bootstrapHash && timingSafeEqual(hash, this.bootstrapHash))
      return { id: RESERVED_KEY_NAME, name: RESERVED_KEY_NAME, role: 'admin' };
    const m = KEY_RE.exec(presented);
    if (!m) return undefined;
    const now = Date.now();
    const cached = this.lookup(m[1], now);
    if (cached.settled) return this.identify(cached, cached.settled.row, cached.settled.hash, hash, now, scope);
    return cached.row.then((row) => this.identify(cached, row, row && Buffer.from(row.key_hash, 'hex'), hash, now, scope));
  }

  private identify(
    cached: CachedKey,
    row: KeyRow | undefined,
    stored: Buffer | undefined,
    hash: Buffer,
    now: number,
    scope: LogScope | undefined,
  ): ApiKeyIdentity | undefined {
    if (!row || !stored || !timingSafeEqual(hash, stored)) return undefined;
    if (now - cached.lastUsed > LAST_USED_RESOLUTION_MS) {
      cached.lastUsed = now;
      // Kept apart from SQLite transactions (see Transactor.serialized); not awaited: bookkeeping.
      this.transactor
        .serialized((em) => em.update(ApiKeyEntity, { id: row.id }, { lastUsedAt: new Date(now) }), scope)
        .catch((err: Error) => this.logger.warn(`could not record last use of key ${row.name}: ${err.message}`, scope));
    }
    return { id: String(row.id), name: row.name, role: row.role };
  }

  /**
   * The key row of `keyId` as read within KEY_CACHE_TTL_MS, or a fresh read (a prepared
   * statement: this runs on every request). Unknown or revoked ids and failed reads are not kept.
   */
  private lookup(keyId: string, now: number): CachedKey {
    const hit = this.cache.get(keyId);
    if (hit && now - hit.readAt < KEY_CACHE_TTL_MS) return hit;
    const entry: CachedKey = {
      readAt: now,
      lastUsed: hit?.lastUsed ?? 0,
      row: this.dialect
        .hotRead<KeyRow>('SELECT id, name, role, key_hash, last_used_at FROM kamprov_api_keys WHERE key_id = ? AND revoked_at IS NULL', [
          keyId,
        ])
        .then((rows) => rows[0]),
    };
    this.cache.set(keyId, entry);
    entry.row.then(
      (row) => {
        if (!row) return this.forget(keyId, entry);
        // last_used_at as stored, unless this process wrote it since.
        if (row.last_used_at) entry.lastUsed = Math.max(entry.lastUsed, new Date(row.last_used_at).getTime());
        entry.settled = { row, hash: Buffer.from(row.key_hash, 'hex') };
      },
      () => this.forget(keyId, entry),
    );
    return entry;
  }

  private forget(keyId: string, entry: CachedKey): void {
    if (this.cache.get(keyId) === entry) this.cache.delete(keyId);
  }

  /**
   * First start: with no key at all and no BOOTSTRAP_API_KEY, create one admin key so the
   * quick start is never an open server. Returns the key (to be printed once), or undefined.
   */
  async ensureInitialKey(): Promise<string | undefined> {
    if (this.bootstrapHash) return undefined;
    if ((await this.dataSource.getRepository(ApiKeyEntity).count()) > 0) return undefined;
    try {
      return (await this.create(INITIAL_KEY_NAME, 'admin')).key;
    } catch (err) {
      // Another instance created it at the same moment: it printed the key.
      if (err instanceof AuthError && err.code === AuthErrorCode.KeyNameTaken) return undefined;
      throw err;
    }
  }
}
