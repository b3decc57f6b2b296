import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { WriteAudit } from '../audit/write-audit';
import { isUniqueViolation } from '../database/db-errors';
import { Transactor } from '../database/transactor';
import { Address } from '../common/user-ref';
import { PhonesError, PhonesErrorCode } from '../phones/phones.errors';
import { UsersService } from '../users/users.service';
import type { UserView } from '../users/user-view';
import { ha1, newPassword, newToken, tokenHash } from './secrets';

/** A datetime both drivers bind (better-sqlite3 takes no Date objects). */
const now = (): string => new Date().toISOString().slice(0, 19).replace('T', ' ');

/** A phone's device record as the provisioning code reads it. */
export interface DeviceRecord {
  mac: string;
  vendor: string;
  model: string | null;
  ha1Md5: string | null;
  ha1Sha256: string | null;
  tokenHash: string | null;
}

export interface DeviceView {
  mac: string;
  vendor: string;
  model: string | null;
}

/** phone/secret's answer: shown once, never stored. */
export interface DeviceSecretView {
  mac: string;
  username: string;
  password: string;
  token: string;
}

/** One line of a phone: the line number and the user on it. */
export interface PhoneLine {
  line: number;
  user: UserView;
}

/**
 * Phones as devices (issue 13): the device record (vendor, model) and the provisioning
 * credentials in `kamprov_phone_devices`, and the lines a phone carries. Plain SQL on
 * tables this module alone writes.
 */
@Injectable()
export class DevicesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly transactor: Transactor,
  ) {}

  /** Creates or updates the device record; `model` unset (undefined) on update keeps the old one. */
  async set(mac: string, vendor: string, model?: string, audit?: WriteAudit): Promise<DeviceView> {
    for (let attempt = 1; ; attempt++) {
      try {
        // The write and its audit record in one transaction (a retried attempt rolled back its record).
        return await this.transactor.run(async (em) => {
          const existing = await this.find(mac, em);
          if (existing) {
            await em.query('UPDATE kamprov_phone_devices SET vendor = ?, model = ?, updated_at = ? WHERE mac = ?', [
              vendor,
              model ?? existing.model,
              now(),
              mac,
            ]);
            await audit?.recordOk(em);
            return { mac, vendor, model: model ?? existing.model };
          }
          await em.query('INSERT INTO kamprov_phone_devices (mac, vendor, model) VALUES (?, ?, ?)', [mac, vendor, model ?? null]);
          await audit?.recordOk(em);
          return { mac, vendor, model: model ?? null };
        }, audit);
      } catch (err) {
        if (isUniqueViolation(err) && attempt < 3) continue; // a concurrent phone/set created it: update instead
        throw err;
      }
    }
  }

  /**
   * Creates or rotates the phone's provisioning credentials. Only what verification needs
   * is stored (the HA1s for realm `kamprov`, the token's hash); the answer is the only
   * place the secret is ever shown. The previous credentials stop working at once.
   */
  async rotateSecret(mac: string, audit?: WriteAudit): Promise<DeviceSecretView> {
    const password = newPassword();
    const token = newToken();
    await this.transactor.run(async (em) => {
      if (!(await this.find(mac, em))) throw noDevice(mac);
      await em.query(
        'UPDATE kamprov_phone_devices SET ha1_md5 = ?, ha1_sha256 = ?, token_hash = ?, secret_at = ?, updated_at = ? WHERE mac = ?',
        [ha1('MD5', mac, password), ha1('SHA-256', mac, password), tokenHash(token), now(), now(), mac],
      );
      await audit?.recordOk(em);
    }, audit);
    return { mac, username: mac, password, token };
  }

  async find(mac: string, em: Pick<EntityManager, 'query'> = this.dataSource): Promise<DeviceRecord | undefined> {
    const rows = await em.query<
      { mac: string; vendor: string; model: string | null; ha1_md5: string | null; ha1_sha256: string | null; token_hash: string | null }[]
    >('SELECT mac, vendor, model, ha1_md5, ha1_sha256, token_hash FROM kamprov_phone_devices WHERE mac = ?', [mac]);
    const r = rows[0];
    if (!r) return undefined;
    return { mac: r.mac, vendor: r.vendor, model: r.model ?? null, ha1Md5: r.ha1_md5, ha1Sha256: r.ha1_sha256, tokenHash: r.token_hash };
  }

  /** The device record or failed/nonexistant. */
  async get(mac: string): Promise<DeviceRecord> {
    const device = await this.find(mac);
    if (!device) throw noDevice(mac);
    return device;
  }

  /** The phone's lines in line order, each with the user's full record (password included). */
  async lines(mac: string): Promise<PhoneLine[]> {
    const rows = await this.dataSource.query<(Address & { line: number | string })[]>(
      `SELECT p.line, u.username, u.domain FROM kamprov_phones p INNER JOIN kamprov_users u ON u.id = p.user_id
        WHERE p.mac = ? ORDER BY p.line, u.username, u.domain`,
      [mac],
    );
    const lines: PhoneLine[] = [];
    for (const r of rows) {
      try {
        lines.push({ line: Number(r.line), user: await this.users.get({ username: r.username, domain: r.domain }) });
      } catch {
        // removed between the two reads: the phone simply does not get that line this time
      }
    }
    return lines;
  }
}

const noDevice = (mac: string) => new PhonesError(PhonesErrorCode.NotFound, `no device record for phone ${mac}: phone/set it first`);
