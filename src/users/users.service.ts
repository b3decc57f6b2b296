import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AddressClaims } from '../claims/address-claims.service';
import { globToLike, LIKE_ESCAPE, escapeLike, literalPrefix } from '../common/glob';
import { Address, formatAddress } from '../common/user-ref';
import { SqlDialect, type RowLock, type Statement } from '../database/sql-dialect';
import { keysetChunks, LIST_CHUNK_ROWS, mapChunks } from '../database/keyset';
import { Transactor } from '../database/transactor';
import type { WriteAudit } from '../audit/write-audit';
import { AliasRepository } from '../kamailio/alias.repository';
import { DomainRepository } from '../kamailio/domain.repository';
import { SubscriberRepository } from '../kamailio/subscriber.repository';
import { UserEntity } from './entities/user.entity';
import { PasswordGenerator } from './password-generator';
import { UsersError, UsersErrorCode } from './users.errors';
import type { UserView } from './user-view';
import { toUserView } from './user-view';

export interface UserProfile {
  displayname?: string;
  email?: string;
  dialplan?: string;
  linetext?: string;
}

export interface RemoteAccount {
  password: string;
  registrar: string;
  r_port?: number;
  proxy?: string;
  p_port?: number;
  authid?: string;
}

/** user/update's changes: only the given fields change; an empty value (ports included) clears one. */
export type UserChanges = UserProfile & {
  registrar?: string;
  r_port?: number | '';
  proxy?: string;
  p_port?: number | '';
  authid?: string;
};

const REMOTE_ONLY = ['registrar', 'r_port', 'proxy', 'p_port', 'authid'] as const;

/** A user row as the services use it (the entity without its timestamps). */
export type UserRecord = Omit<UserEntity, 'createdAt' | 'updatedAt'>;

/** Empty strings from a query string mean "unset". */
const orNull = <T>(v: T | undefined | ''): T | null => (v === undefined || v === '' ? null : v);

@Injectable()
export class UsersService {
  /** One user with its subscriber password (see find): unlocked, and locked for update. */
  private readonly findUserSql: { read: string; update: string };
  /** The three places an address can be held, in one round trip (see assertAddressFree). */
  private readonly addressHeldSql: string;
  /** kamprov_users' `username = ? AND domain = ?`, the domain in any case (adopted subscribers keep theirs). */
  private readonly userIs: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
    private readonly transactor: Transactor,
    private readonly subscribers: SubscriberRepository,
    private readonly aliases: AliasRepository,
    private readonly domains: DomainRepository,
    private readonly claims: AddressClaims,
    private readonly passwords: PasswordGenerator,
  ) {
    const findUser = `SELECT u.id, u.username, u.domain, u.type, u.displayname, u.email, u.password, u.registrar,
       u.r_port AS "rPort", u.proxy, u.p_port AS "pPort", u.authid, u.dialplan, u.linetext,
       s.password AS subscriber_password
  FROM kamprov_users u ${subscribers.leftJoin('s', 'u.username', 'u.domain')}
 WHERE u.username = ? AND ${dialect.ciEquals('u.domain', '?')}
 ORDER BY u.id`;
    // Built once: user/get's statement is looked up by its text on every request (hotRead).
    this.findUserSql = { read: findUser + dialect.lockClause(undefined, 'u'), update: findUser + dialect.lockClause('update', 'u') };
    this.userIs = `username = ? AND ${dialect.ciEquals('domain', '?')}`;
    this.addressHeldSql = `SELECT EXISTS(SELECT 1 FROM kamprov_users WHERE ${this.userIs}) AS user_holds,
              ${subscribers.existsExpression()} AS subscriber_holds,
              ${aliases.existsExpression()} AS alias_holds,
              ${domains.localExpression('share')} AS domain_local`;
    // A user's address claim is reaped when the user is gone (removed outside kamprov).
    claims.registerHolder('user', (em, address) => this.exists(em, address, 'share'));
  }

  async get(address: Address): Promise<UserView> {
    const found = await this.find(undefined, address);
    if (!found) throw notFound(address);
    return toUserView(found.user, found.subscriberPassword);
  }

  /** Addresses of every user, or of those whose `user@domain` matches the glob. */
  async list(search?: string, limit?: number): Promise<string[]> {
    const all: string[] = [];
    for await (const chunk of this.listChunks(search, limit)) all.push(...chunk);
    return all;
  }

  /** user/list, chunk by chunk in (username, domain) order (keyset pagination; see keyset.ts). */
  async *listChunks(search?: string, limit?: number, chunk = LIST_CHUNK_ROWS): AsyncGenerator<string[]> {
    const qb = this.dataSource.createQueryBuilder(UserEntity, 'u').select(['u.username AS username', 'u.domain AS domain']);
    if (search !== undefined) {
      const address = this.dialect.concat('u.username', "'@'", 'u.domain');
      qb.where(`${address} LIKE :pattern ESCAPE '${LIKE_ESCAPE}'`, { pattern: globToLike(search) });
      // A literal prefix before the first wildcard lets the username index narrow the scan.
      const prefix = literalPrefix(search);
      const userPrefix = prefix.split('@')[0];
      if (userPrefix && !prefix.includes('@')) {
        qb.andWhere(`u.username LIKE :prefix ESCAPE '${LIKE_ESCAPE}'`, { prefix: `${escapeLike(userPrefix)}%` });
      }
    }
    // (username, domain) is kamprov_users' unique key: its index gives the order, so each
    // chunk is an index range read (with id as a third key MariaDB sorted the whole table).
    const keys = [
      { expr: 'u.username', alias: 'username' },
      { expr: 'u.domain', alias: 'domain' },
    ];
    yield* mapChunks(keysetChunks<{ username: string; domain: string }>(qb, keys, limit, chunk), (r) =>
      formatAddress({ username: r.username, domain: r.domain.toLowerCase() }),
    );
  }

  generatePassword(): string {
    return this.passwords.generate();
  }

  /** A SIP account in Kamailio's subscriber table plus its provisioning row, in one transaction. */
  async addLocal(address: Address, profile: UserProfile, audit?: WriteAudit): Promise<UserView> {
    const password = this.passwords.generate();
    const user = await this.createUser(
      address,
      (local) => {
        if (!local) {
          throw new UsersError(UsersErrorCode.DomainNotLocal, `${address.domain} is not a local (Kamailio) domain`);
        }
        return newUser({ ...address, type: 'local', ...toColumns(profile) });
      },
      // After the provisioning row: user/remove and alias/add lock kamprov_users, then subscriber.
      this.subscribers.addInsert(address.username, address.domain, password),
      audit,
    );
    return toUserView(user, password);
  }

  /** An account at another registrar, for hardphones to carry. Refused for local domains. */
  async addRemote(address: Address, profile: UserProfile, remote: RemoteAccount, audit?: WriteAudit): Promise<UserView> {
    const user = await this.createUser(
      address,
      (local) => {
        if (local) {
          throw new UsersError(UsersErrorCode.DomainIsLocal, `${address.domain} is a local domain: use user/add_local for its users`);
        }
        return newUser({
          ...address,
          type: 'remote',
          ...toColumns({ ...profile, ...remote }),
          password: remote.password,
        });
      },
      undefined,
      audit,
    );
    return toUserView(user, null);
  }

  async remove(address: Address, audit?: WriteAudit): Promise<void> {
    try {
      await this.transactor.run(async (em) => {
        const found = await this.find(em, address, true);
        if (!found) throw notFound(address);
        // A locking read: it waits for an alias/add to this user that is not yet committed.
        const aliases = await this.aliases.countTo(em, address.username, address.domain, 'share');
        if (aliases > 0) {
          throw new UsersError(UsersErrorCode.InUse, `${aliases} alias(es) point at ${formatAddress(address)}; remove them first`);
        }
        // Phones reference the user row (ON DELETE RESTRICT): a phone still on it fails here.
        await em.delete(UserEntity, { id: found.user.id });
        if (found.user.type === 'local') await this.subscribers.remove(em, found.user.username, found.user.domain);
        await this.claims.release(em, { username: found.user.username, domain: found.user.domain.toLowerCase() }, 'user');
        await audit?.recordOk(em);
      }, audit);
    } catch (err) {
      if (this.dialect.isForeignKeyViolation(err)) {
        throw new UsersError(UsersErrorCode.InUse, `phones carry ${formatAddress(address)}; remove them first`);
      }
      throw err;
    }
  }

  /**
   * Local users get a new password, ha1 and ha1b in Kamailio (generated when none is
   * given); remote users a new stored password, which must be given: only the remote
   * registrar can set it, and a generated one would lock the phone out.
   */
  async changePassword(address: Address, newPassword?: string, audit?: WriteAudit): Promise<UserView> {
    const password = newPassword || this.passwords.generate();
    return this.transactor.run(async (em) => {
      const found = await this.find(em, address, true);
      if (!found) throw notFound(address);
      const { user } = found;
      if (user.type === 'remote' && !newPassword) {
        throw new UsersError(
          UsersErrorCode.PasswordRequired,
          `${formatAddress(address)} is a remote user: give the password its registrar has (kamprov cannot generate it)`,
          'password',
        );
      }
      if (user.type === 'local') {
        const updated = await this.subscribers.setPassword(em, user.username, user.domain, password);
        // The subscriber row was removed behind kamprov's back: restore the account.
        if (!updated) await this.subscribers.add(em, user.username, user.domain, password);
        await audit?.recordOk(em);
        return toUserView(user, password);
      }
      await em.update(UserEntity, { id: user.id }, { password });
      await audit?.recordOk(em);
      return toUserView({ ...user, password }, null);
    }, audit);
  }

  async update(address: Address, changes: UserChanges, audit?: WriteAudit): Promise<UserView> {
    return this.transactor.run(async (em) => {
      const found = await this.find(em, address, true);
      if (!found) throw notFound(address);
      const { user } = found;
      if (user.type === 'local') {
        const field = REMOTE_ONLY.find((k) => changes[k] !== undefined);
        if (field) {
          throw new UsersError(
            UsersErrorCode.RemoteFieldOnLocalUser,
            `${field} applies to remote users only; ${formatAddress(address)} is local`,
            field,
          );
        }
      }
      const columns = toColumns(changes);
      if (Object.keys(columns).length > 0) await em.update(UserEntity, { id: user.id }, columns);
      await audit?.recordOk(em);
      return toUserView({ ...user, ...columns }, found.subscriberPassword);
    }, audit);
  }

  /**
   * How many users (local or remote) live in the domain (any case); for domain/remove. With
   * `lock`, a locking read (see DomainsService.remove).
   */
  async countInDomain(em: EntityManager, domain: string, lock?: RowLock): Promise<number> {
    if (lock) {
      const rows = await em.query<unknown[]>(
        `SELECT id FROM kamprov_users WHERE ${this.dialect.ciEquals('domain', '?')}${this.dialect.lockClause(lock)}`,
        [domain.toLowerCase()],
      );
      return rows.length;
    }
    return em
      .createQueryBuilder(UserEntity, 'u')
      .where(this.dialect.ciEquals('u.domain', ':domain'), { domain: domain.toLowerCase() })
      .getCount();
  }

  /** Whether the user exists, read with `lock` (the address claims ask, to reap a claim of a vanished user). */
  async exists(em: EntityManager, address: Address, lock?: RowLock): Promise<boolean> {
    const rows = await em.query<unknown[]>(`SELECT id FROM kamprov_users WHERE ${this.userIs}${this.dialect.lockClause(lock)}`, [
      address.username,
      address.domain,
    ]);
    return rows.length > 0;
  }

  /** Whether a user (local or remote) exists; for modules that attach things to users. */
  /**
   * Writes the user's row (its row_version), so that this transaction and a user/remove of
   * the same user write one row in common. On one server the row lock already orders them;
   * on a Galera cluster, where locks stay on their node and reads are not certified, only a
   * row both write makes certification abort one of them (then retried by the Transactor).
   */
  async conflictWithRemoval(em: EntityManager, id: number): Promise<void> {
    await em.query('UPDATE kamprov_users SET row_version = row_version + 1 WHERE id = ?', [id]);
  }

  async findId(em: EntityManager, address: Address, lock = false): Promise<number | undefined> {
    const found = await this.find(em, address, lock);
    return found?.user.id;
  }

  /**
   * A user's id and its address as stored, domain lower-case (the caller's may differ in
   * case: on MariaDB in the username too); for modules that answer or write the address.
   */
  async findStored(em: EntityManager, address: Address, lock = false): Promise<{ id: number; address: Address } | undefined> {
    const found = await this.find(em, address, lock);
    if (!found) return undefined;
    return { id: found.user.id, address: { username: found.user.username, domain: found.user.domain.toLowerCase() } };
  }

  /**
   * One user with its subscriber password, by address. Plain SQL on purpose: this is the
   * hot read path (user/get, and the start of every change), and the query builder plus
   * entity hydration cost more CPU than the query itself. Without `em` (user/get): a hot
   * read, a prepared statement on the pool (SqlDialect.hotRead).
   */
  private async find(
    em: EntityManager | undefined,
    address: Address,
    lock = false,
  ): Promise<{ user: UserRecord; subscriberPassword: string | null } | undefined> {
    const sql = lock ? this.findUserSql.update : this.findUserSql.read;
    const params = [address.username, address.domain];
    type Row = UserRecord & { subscriber_password: string | null };
    const rows = em ? await em.query<Row[]>(sql, params) : await this.dialect.hotRead<Row>(sql, params);
    const row = rows[0];
    if (!row) return undefined;
    const { subscriber_password, ...user } = row;
    return { user: { ...user, id: Number(user.id) }, subscriberPassword: subscriber_password ?? null };
  }

  /**
   * The shared path of add_local and add_remote: the address must be free of users,
   * subscribers and aliases (collision prevention). The checks find rows written behind
   * kamprov's back and the right words; the address claim (a unique key shared with
   * alias/add) and kamprov_users' unique key decide races.
   *
   * Once the checks pass, the claim, the user's row, `extra` (the subscriber row) and the
   * audit record go in one batch (SqlDialect.batch: on MariaDB one round trip, with the
   * COMMIT). Should a unique key or the claim's domain key refuse one of them (a race, a
   * stale claim to reap, a local domain kamprov has not registered), that transaction rolls
   * back and the write runs again statement by statement (createCarefully), whose claim()
   * reaps, registers the domain or answers who holds the address, as before.
   */
  private async createUser(
    address: Address,
    build: (domainLocal: boolean) => UserEntity,
    extra: Statement | undefined,
    audit: WriteAudit | undefined,
  ): Promise<UserEntity> {
    try {
      try {
        return await this.transactor.run(async (em) => {
          const { domainLocal } = await this.assertAddressFree(em, address);
          const entity = build(domainLocal);
          const statements = [this.claims.claimInsert(address, 'user', { localDomain: domainLocal }), this.insertUserStatement(entity)];
          if (extra) statements.push(extra);
          const record = audit?.okInsert(em);
          if (record) statements.push(record);
          await this.dialect.batch(em, statements, true);
          return entity;
        }, audit);
      } catch (err) {
        if (!this.dialect.isUniqueViolation(err) && !this.dialect.isForeignKeyViolation(err)) throw err;
        return await this.createCarefully(address, build, extra, audit);
      }
    } catch (err) {
      if (this.dialect.isUniqueViolation(err)) throw exists(address, 'a user');
      throw err;
    }
  }

  /** createUser one statement at a time, the claim by AddressClaims.claim (see createUser). */
  private createCarefully(
    address: Address,
    build: (domainLocal: boolean) => UserEntity,
    extra: Statement | undefined,
    audit: WriteAudit | undefined,
  ): Promise<UserEntity> {
    return this.transactor.run(async (em) => {
      const { domainLocal } = await this.assertAddressFree(em, address);
      // A claim in a local domain references it: domain/remove cannot commit beside it (closeDomain).
      const claim = await this.claims.claim(em, address, 'user', { localDomain: domainLocal });
      if (!claim.claimed) throw exists(address, claim.heldBy === 'alias' ? 'an alias' : 'a user');
      const entity = build(domainLocal);
      await em.query(...statementArgs(this.insertUserStatement(entity)));
      if (extra) await em.query(...statementArgs(extra));
      await audit?.recordOk(em);
      return entity;
    }, audit);
  }

  /**
   * A plain INSERT of the provisioning row: save() would read the row back for its
   * defaults, which no answer needs, and the query builder costs more CPU than the write.
   */
  private insertUserStatement(user: UserEntity): Statement {
    return {
      sql: INSERT_USER_SQL,
      params: [user.username, user.domain, user.type, ...INSERT_USER_FIELDS.map((column) => user[column] ?? null)],
    };
  }

  /**
   * One round trip for the three places an address can be held, and whether its domain is
   * local (read with a share lock, as DomainRepository.isLocal: domain/remove waits for us).
   */
  private async assertAddressFree(em: EntityManager, address: Address): Promise<{ domainLocal: boolean }> {
    const { username, domain } = address;
    type Held = Record<'user_holds' | 'subscriber_holds' | 'alias_holds' | 'domain_local', number | string | boolean>;
    const [held] = await em.query<Held[]>(this.addressHeldSql, [
      username,
      domain,
      username,
      domain,
      username,
      domain,
      domain.toLowerCase(),
    ]);
    if (Number(held.user_holds)) throw exists(address, 'a user');
    if (Number(held.subscriber_holds)) throw exists(address, 'a Kamailio subscriber');
    if (Number(held.alias_holds)) throw exists(address, 'an alias');
    return { domainLocal: Number(held.domain_local) === 1 };
  }
}

const statementArgs = (s: Statement): [string, unknown[]] => [s.sql, s.params];

const notFound = (a: Address) => new UsersError(UsersErrorCode.NotFound, `no user ${formatAddress(a)}`);
const exists = (a: Address, holder: string) =>
  new UsersError(UsersErrorCode.AlreadyExists, `${formatAddress(a)} is already taken by ${holder}`);

/** The optional columns of kamprov_users that user/add_local and add_remote write (entity property names). */
const INSERT_USER_FIELDS = [
  'displayname',
  'email',
  'password',
  'registrar',
  'rPort',
  'proxy',
  'pPort',
  'authid',
  'dialplan',
  'linetext',
] as const;
const INSERT_USER_SQL = `INSERT INTO kamprov_users (username, domain, type, displayname, email, password, registrar, r_port, proxy, p_port, authid, dialplan, linetext)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Request field -> entity column, for every field a user carries besides its address. */
const FIELD_COLUMNS = {
  displayname: 'displayname',
  email: 'email',
  dialplan: 'dialplan',
  linetext: 'linetext',
  registrar: 'registrar',
  r_port: 'rPort',
  proxy: 'proxy',
  p_port: 'pPort',
  authid: 'authid',
} as const satisfies Record<keyof UserChanges, keyof UserEntity>;

/**
 * A new user row as the services hold it: the given columns on a UserEntity (what
 * manager.create made of them, without its per-column transformation pass on a hot path).
 */
const newUser = (columns: Partial<UserEntity>): UserEntity => Object.assign(new UserEntity(), columns);

/** The columns for the fields that were given; an empty string stores null. */
function toColumns(fields: UserChanges): Partial<UserEntity> {
  const columns: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(FIELD_COLUMNS)) {
    const value = fields[field as keyof UserChanges];
    if (value !== undefined) columns[column] = orNull(value);
  }
  return columns;
}
