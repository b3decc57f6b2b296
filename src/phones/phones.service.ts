import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { globToLike, LIKE_ESCAPE } from '../common/glob';
import { Address, formatAddress } from '../common/user-ref';
import { isForeignKeyViolation, isUniqueViolation } from '../database/db-errors';
import { keysetChunks, LIST_CHUNK_ROWS } from '../database/keyset';
import { Transactor } from '../database/transactor';
import { UserEntity } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { PhoneEntity } from './entities/phone.entity';
import type { PhoneUsersView, PhoneUserView, UserPhonesView } from './phone-view';
import { PhonesError, PhonesErrorCode } from './phones.errors';

/**
 * Phone-to-user associations. MACs arrive normalized (12 lower-case hex digits, see
 * IsMac) and are stored and answered that way. A phone exists only through its
 * associations: a MAC that carries nobody is unknown.
 */
@Injectable()
export class PhonesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactor: Transactor,
    private readonly users: UsersService,
  ) {}

  /** The users a phone carries; failed/nonexistant when no user sits on that MAC. */
  async usersOf(mac: string, limit?: number): Promise<PhoneUsersView> {
    // Plain SQL: phone/get?mac= is what provisioning servers ask at boot storms.
    const rows = await this.dataSource.query<Address[]>(
      `SELECT u.username, u.domain FROM kamprov_phones p INNER JOIN kamprov_users u ON u.id = p.user_id
        WHERE p.mac = ? ORDER BY u.username, u.domain${limit !== undefined ? ' LIMIT ?' : ''}`,
      limit !== undefined ? [mac, limit] : [mac],
    );
    if (rows.length === 0) throw new PhonesError(PhonesErrorCode.NotFound, `no phone ${mac}: no user is on it`);
    return { mac, users: rows.map(formatAddress) };
  }

  /** The phones a user sits on (possibly none); failed/nonexistant for an unknown user. */
  async macsOf(address: Address, limit?: number): Promise<UserPhonesView> {
    const qb = this.dataSource
      .createQueryBuilder(PhoneEntity, 'p')
      .innerJoin(UserEntity, 'u', 'u.id = p.userId')
      .select('p.mac', 'mac')
      .where('u.username = :username AND u.domain = :domain', address)
      .orderBy('p.mac');
    if (limit !== undefined) qb.limit(limit);
    const rows = await qb.getRawMany<{ mac: string }>();
    if (rows.length === 0 && (await this.users.findId(this.dataSource.manager, address)) === undefined) {
      throw userNotFound(address);
    }
    return { user: formatAddress(address), macs: rows.map((r) => r.mac) };
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
    for await (const rows of keysetChunks<{ mac: string }>(qb, [{ expr: 'p.mac', alias: 'mac' }], limit, chunk)) {
      yield rows.map((r) => r.mac);
    }
  }

  /**
   * Puts a user on a phone. The user is read (and, on MariaDB, locked) in the same
   * transaction as the insert, so user/remove waits for us or we for it; the unique key
   * decides between identical adds, and the foreign key is the last word should the
   * user be gone by the time the row is written.
   */
  async add(mac: string, address: Address): Promise<PhoneUserView> {
    const user = formatAddress(address);
    try {
      await this.transactor.run(async (em) => {
        const userId = await this.users.findId(em, address, true);
        if (userId === undefined) throw userNotFound(address);
        await em.insert(PhoneEntity, { mac, userId });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new PhonesError(PhonesErrorCode.AlreadyExists, `${user} is already on phone ${mac}`);
      if (isForeignKeyViolation(err)) throw userNotFound(address);
      throw err;
    }
    return { mac, user };
  }

  /** Takes a user off a phone; failed/nonexistant if the user or the association is unknown. */
  async remove(mac: string, address: Address): Promise<PhoneUserView> {
    const user = formatAddress(address);
    const userId = await this.users.findId(this.dataSource.manager, address);
    if (userId === undefined) throw userNotFound(address);
    const result = await this.transactor.serialized((em) => em.delete(PhoneEntity, { mac, userId }));
    if (!result.affected) throw new PhonesError(PhonesErrorCode.NotFound, `${user} is not on phone ${mac}`);
    return { mac, user };
  }
}

const userNotFound = (a: Address) => new PhonesError(PhonesErrorCode.NotFound, `no user ${formatAddress(a)}`);
