import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { AddressClaim, ClaimKind } from '../aliases/entities/address-claim.entity';
import type { Address } from '../common/user-ref';
import { isUniqueViolation } from '../database/db-errors';
import { lockClause } from './row-locks';

export type ClaimOutcome =
  | { claimed: true }
  /** `user`/`alias`: the address is held by one; `e164`: the destination already has its E.164 alias. */
  | { claimed: false; heldBy: ClaimKind | 'e164' };

/**
 * kamprov's register of the SIP addresses it hands out (table kamprov_address_claims).
 * Users and aliases share one namespace: user/add_local, user/add_remote and alias/add
 * claim their address in the same transaction that creates them; user/remove and
 * alias/remove release it. The UNIQUE keys decide races between concurrent requests;
 * the callers' plain checks only find friendlier words and rows written behind kamprov's
 * back (kamctl). Provided by KamailioModule so that both users and aliases get it.
 */
@Injectable()
export class AddressClaims {
  /**
   * Inserts the claim. On a unique violation it waits for the holder's transaction (the
   * database does), and a claim whose holder has gone (removed outside kamprov) is
   * reaped and the insert retried; otherwise it answers who holds it.
   */
  async claim(em: EntityManager, address: Address, kind: ClaimKind, e164Destination: string | null = null): Promise<ClaimOutcome> {
    // At most one reap per unique key, then the answer stands.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await em
          .createQueryBuilder()
          .insert()
          .into(AddressClaim)
          .values({ username: address.username, domain: address.domain, kind, e164Destination })
          .updateEntity(false) // no read-back of created_at
          .execute();
        return { claimed: true };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        if (isE164Conflict(err)) {
          if (e164Destination && (await this.reapStaleE164(em, e164Destination))) continue;
          return { claimed: false, heldBy: 'e164' };
        }
        const holder = await this.holder(em, address);
        if (holder && !(await this.holderExists(em, holder))) {
          await em.delete(AddressClaim, { id: holder.id });
          continue;
        }
        return { claimed: false, heldBy: holder?.kind ?? kind };
      }
    }
    return { claimed: false, heldBy: kind };
  }

  /** Releases the address (only if `kind` holds it). */
  async release(em: EntityManager, address: Address, kind: ClaimKind): Promise<void> {
    await em.delete(AddressClaim, { username: address.username, domain: address.domain, kind });
  }

  private async holder(em: EntityManager, address: Address): Promise<{ id: number; kind: ClaimKind; username: string; domain: string } | undefined> {
    // A locking read sees the latest committed claim (a plain read could see an old snapshot).
    const rows = await em.query<{ id: number | string; kind: ClaimKind; username: string; domain: string }[]>(
      `SELECT id, kind, username, domain FROM kamprov_address_claims WHERE username = ? AND domain = ?${lockClause(em, 'share')}`,
      [address.username, address.domain],
    );
    const row = rows[0];
    return row ? { ...row, id: Number(row.id) } : undefined;
  }

  private async holderExists(em: EntityManager, claim: { kind: ClaimKind; username: string; domain: string }): Promise<boolean> {
    const table = claim.kind === 'user' ? 'kamprov_users' : 'dbaliases';
    const [user, domain] = claim.kind === 'user' ? ['username', 'domain'] : ['alias_username', 'alias_domain'];
    const rows = await em.query<unknown[]>(`SELECT id FROM ${table} WHERE ${user} = ? AND ${domain} = ?${lockClause(em, 'share')}`, [
      claim.username,
      claim.domain,
    ]);
    return rows.length > 0;
  }

  /** Frees the destination's E.164 slot when the alias that held it no longer points there. */
  private async reapStaleE164(em: EntityManager, destination: string): Promise<boolean> {
    const rows = await em.query<{ id: number | string; username: string; domain: string }[]>(
      `SELECT id, username, domain FROM kamprov_address_claims WHERE e164_destination = ?${lockClause(em, 'share')}`,
      [destination],
    );
    const row = rows[0];
    if (!row) return false;
    const at = destination.indexOf('@');
    const still = await em.query<unknown[]>(
      `SELECT id FROM dbaliases WHERE alias_username = ? AND alias_domain = ? AND username = ? AND domain = ?${lockClause(em, 'share')}`,
      [row.username, row.domain, destination.slice(0, at), destination.slice(at + 1)],
    );
    if (still.length > 0) return false;
    await em.update(AddressClaim, { id: Number(row.id) }, { e164Destination: null });
    return true;
  }
}

/** Which key was violated: both MySQL ("for key '..._e164_uq'") and SQLite ("...e164_destination") name it. */
function isE164Conflict(err: unknown): boolean {
  const message = err instanceof QueryFailedError || err instanceof Error ? err.message : '';
  return message.includes('e164');
}
