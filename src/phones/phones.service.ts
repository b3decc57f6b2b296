import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { WriteAudit } from '../audit/write-audit';
import { globToLike, LIKE_ESCAPE } from '../common/glob';
import { Address, formatAddress } from '../common/user-ref';
import { isForeignKeyViolation, isUniqueViolation } from '../database/db-errors';
import { keysetChunks, LIST_CHUNK_ROWS, mapChunks } from '../database/keyset';
import { SqlDialect } from '../database/sql-dialect';
import { Transactor } from '../database/transactor';
import { UsersService } from '../users/users.service';
import { PhoneEntity } from './entities/phone.entity';
import type { PhoneUsersView, PhoneUserView, UserPhonesView } from './phone-view';
import { PhonesError, PhonesErrorCode } from './phones.errors';

/**
 * Phone-to-user associations. MACs arrive normalized (12 lower-case hex digits, see
 * IsMac) and are stored and answered that way. A phone exists through its associations
 * or its device record (phone/set, see src/provisioning/): a MAC with neither is unknown.
 */
@Injectable()
export class PhonesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactor: Transactor,
    private readonly users: UsersService,
    private readonly dialect: SqlDialect,
  ) {}

  /**
   * The users a phone carries, in line order; failed/nonexistant when no user sits on that
   * MAC and it has no device record. With a device record (phone/set) the answer also
   * carries `vendor` and `model` (null when unset), and `users` may be empty.
   */
  async usersOf(mac: string, limit?: number): Promise<PhoneUsersView> {
    // Plain SQL: phone/get?mac= is what provisioning servers ask at boot storms; a prepared
    // statement without `limit` (mysql2 binds numbers as DOUBLE, which MySQL 8 refuses in LIMIT).
    const sql = `SELECT u.username, u.domain FROM kamprov_phones p INNER JOIN kamprov_users u ON u.id = p.user_id
        WHERE p.mac = ? ORDER BY p.line, u.username, u.domain`;
    const rows =
      limit === undefined
        ? await this.dialect.hotRead<Address>(sql, [mac])
        : await this.dataSource.query<Address[]>(`${sql} LIMIT ?`, [mac, limit]);
    const [device] = await this.dialect.hotRead<{ vendor: string; model: string | null }>(
      'SELECT vendor, model FROM kamprov_phone_devices WHERE mac = ?',
      [mac],
    );
    if (rows.length === 0 && !device) throw new PhonesError(PhonesErrorCode.NotFound, `no phone ${mac}: no user is on it`);
    const users = rows.map((r) => formatAddress({ username: r.username, domain: r.domain.toLowerCase() }));
    // Without a device record the answer is what it always was (no vendor, no model).
    return device ? { mac, vendor: device.vendor, model: device.model ?? null, users } : { mac, users };
  }

  /** The phones a user sits on (possibly none); failed/nonexistant for an unknown user. */
  async macsOf(address: Address, limit?: number): Promise<UserPhonesView> {
    // The user first (its stored address is the answer's), then its phones by its id.
    const user = await this.users.findStored(this.dataSource.manager, address);
    if (!user) throw userNotFound(address);
    const qb = this.dataSource
      .createQueryBuilder(PhoneEntity, 'p')
      .select('p.mac', 'mac')
      .where('p.userId = :id', { id: user.id })
      .orderBy('p.mac');
    if (limit !== undefined) qb.limit(limit);
    const rows = await qb.getRawMany<{ mac: string }>();
    return { user: formatAddress(user.address), macs: rows.map((r) => r.mac) };
  }

  /** Every MAC that carries a user, or those matching the glob (already normalized by IsMacGlob). */
  async list(search?: string, limit?: number): Promise<string[]> {
    const all: string[] = [];
    for await (const chunk of this.listChunks(search, limit)) all.push(...chunk);
    return all;
  }

  /** The MACs in order, chunk by chunk (keyset pagination; see keyset.ts). */
  async *listChunks(search?: string, limit?: number, chunk = LIST_CHUNK_ROWS): AsyncGenerator<string[]> {
    const qb = this.dataSource.createQueryBuilder(PhoneEntity, 'p').select('p.mac', 'mac').distinct(true);
    if (search !== undefined) {
      // A leading literal makes this an index range scan on the (mac, user_id) key.
      qb.where(`p.mac LIKE :pattern ESCAPE '${LIKE_ESCAPE}'`, { pattern: globToLike(search) });
    }
    yield* mapChunks(keysetChunks<{ mac: string }>(qb, [{ expr: 'p.mac', alias: 'mac' }], limit, chunk), (r) => r.mac);
  }

  /**
   * Puts a user on a phone, on the given line or the lowest free one. The user is read
   * (and, on MariaDB, locked) in the same transaction as the insert, so user/remove waits
   * for us or we for it; the unique keys (mac, user) and (mac, line) decide between
   * concurrent adds (the loser looks again: its user is there, or its line is taken, or it
   * takes the next free line), and the foreign key is the last word should the user be
   * gone by the time the row is written.
   */
  async add(mac: string, address: Address, line?: number, audit?: WriteAudit): Promise<PhoneUserView> {
    let user = formatAddress(address);
    for (let attempt = 1; ; attempt++) {
      try {
        const taken = await this.transactor.run(async (em) => {
          const found = await this.users.findStored(em, address, true);
          if (!found) throw userNotFound(address);
          const userId = found.id;
          user = formatAddress(found.address);
          const rows = await em.query<{ user_id: number | string; line: number | string }[]>(
            'SELECT user_id, line FROM kamprov_phones WHERE mac = ?',
            [mac],
          );
          if (rows.some((r) => Number(r.user_id) === userId)) throw alreadyOn(user, mac);
          const used = new Set(rows.map((r) => Number(r.line)));
          if (line !== undefined && used.has(line)) {
            throw new PhonesError(PhonesErrorCode.AlreadyExists, `line ${line} of phone ${mac} is taken`);
          }
          let chosen = line ?? 1;
          while (used.has(chosen)) chosen++;
          await em.insert(PhoneEntity, { mac, userId, line: chosen });
          // In each attempt's transaction: only the attempt that commits keeps its record.
          await audit?.recordOk(em);
          return chosen;
        }, audit);
        return line === undefined ? { mac, user } : { mac, user, line: taken };
      } catch (err) {
        if (isUniqueViolation(err)) {
          // A concurrent add won (its user, or the line we chose): look again, after a pause
          // that keeps a burst of adds to one phone from colliding again in step.
          if (attempt < 10) {
            await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
            continue;
          }
          throw alreadyOn(user, mac);
        }
        if (isForeignKeyViolation(err)) throw userNotFound(address);
        throw err;
      }
    }
  }

  /**
   * phone/remove?mac= without a user: removes the phone's device record and its secret;
   * failed/inuse while the phone carries users. Without a device record this is the
   * seed's phone/remove with the user missing, and answers as it always did (invalid).
   */
  async removeDevice(mac: string, audit?: WriteAudit): Promise<{ mac: string } | undefined> {
    return this.transactor.run(async (em) => {
      const [device] = await em.query<{ mac: string }[]>('SELECT mac FROM kamprov_phone_devices WHERE mac = ?', [mac]);
      if (!device) return undefined;
      const [users] = await em.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM kamprov_phones WHERE mac = ?', [mac]);
      if (Number(users.n) > 0) {
        throw new PhonesError(PhonesErrorCode.InUse, `phone ${mac} still carries ${Number(users.n)} user(s): remove them first`);
      }
      await em.query('DELETE FROM kamprov_phone_devices WHERE mac = ?', [mac]);
      await audit?.recordOk(em);
      return { mac };
    }, audit);
  }

  /** Whether the MAC has a device record (phone/set). */
  async hasDevice(mac: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>('SELECT mac FROM kamprov_phone_devices WHERE mac = ?', [mac]);
    return rows.length > 0;
  }

  /** Takes a user off a phone; failed/nonexistant if the user or the association is unknown. */
  async remove(mac: string, address: Address, audit?: WriteAudit): Promise<PhoneUserView> {
    const found = await this.users.findStored(this.dataSource.manager, address);
    if (!found) throw userNotFound(address);
    const user = formatAddress(found.address);
    // The delete and its audit record in one transaction (nothing to roll back when no row went).
    await this.transactor.run(async (em) => {
      const result = await em.delete(PhoneEntity, { mac, userId: found.id });
      if (!result.affected) throw new PhonesError(PhonesErrorCode.NotFound, `${user} is not on phone ${mac}`);
      await audit?.recordOk(em);
    }, audit);
    return { mac, user };
  }
}

const alreadyOn = (user: string, mac: string) => new PhonesError(PhonesErrorCode.AlreadyExists, `${user} is already on phone ${mac}`);
const userNotFound = (a: Address) => new PhonesError(PhonesErrorCode.NotFound, `no user ${formatAddress(a)}`);
