import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Address } from '../common/user-ref';
import { SqlDialect, type Statement } from '../database/sql-dialect';
import { AliasRepository } from '../kamailio/alias.repository';
import { AddressClaim, ClaimKind } from './entities/address-claim.entity';

export type ClaimOutcome =
  | { claimed: true }
  /** `user`/`alias`: the address is held by one; `e164`: the destination already has its E.164 alias. */
  | { claimed: false; heldBy: ClaimKind | 'e164' };

/** Whether the holder of a claim still exists; a locking read (share) inside the caller's transaction. */
export type HolderCheck = (em: EntityManager, address: Address) => Promise<boolean>;

/**
 * A claim's key: the domain lower-case (every database then compares it alike), the
 * username as given (compared as the database compares usernames).
 */
const claimKey = (a: Address): Address => ({ username: a.username, domain: a.domain.toLowerCase() });

/** What a claim says besides its address. */
export interface ClaimOptions {
  /** For an E.164 alias: its destination, `user@domain` (at most one per destination). */
  e164Destination?: string | null;
  /** The address is in a local domain: the claim references the domain (see closeDomain). */
  localDomain?: boolean;
}

/** A plain INSERT: no read-back of created_at, no query builder on this hot path. */
const INSERT_CLAIM = 'INSERT INTO kamprov_address_claims (username, domain, kind, e164_destination, local_domain) VALUES (?, ?, ?, ?, ?)';

/** The local domains claims reference (migration LocalDomainClaims). */
const CLAIM_DOMAINS = 'kamprov_claim_domains';

/** The unique key of one E.164 alias per destination (migration AliasClaims). */
export const E164_KEY = 'kamprov_address_claims_e164_uq';

/**
 * kamprov's register of the SIP addresses it hands out (table kamprov_address_claims).
 * Users and aliases share one namespace: user/add_local, user/add_remote and alias/add
 * claim their address in the same transaction that creates them; user/remove and
 * alias/remove release it. The UNIQUE keys decide races between concurrent requests;
 * the callers' plain checks only find friendlier words and rows written behind kamprov's
 * back (kamctl).
 *
 * A claim whose holder is gone (removed outside kamprov) is reaped. Alias holders are
 * rows of Kamailio's dbaliases (asked of AliasRepository); the users module registers how
 * to find a user (registerHolder), so that this module does not depend on it. A kind with
 * no registered check counts as present: its claims are never reaped.
 */
@Injectable()
export class AddressClaims {
  private readonly holders = new Map<ClaimKind, HolderCheck>();

  constructor(
    private readonly dialect: SqlDialect,
    private readonly aliases: AliasRepository,
  ) {
    this.holders.set('alias', (em, a) => this.aliases.exists(em, a.username, a.domain, 'share'));
  }

  /** How to tell whether a holder of `kind` still exists. */
  registerHolder(kind: ClaimKind, check: HolderCheck): void {
    this.holders.set(kind, check);
  }

  /**
   * Inserts the claim. On a unique violation it waits for the holder's transaction (the
   * database does), and a claim whose holder has gone (removed outside kamprov) is
   * reaped and the insert retried; otherwise it answers who holds it.
   */
  async claim(em: EntityManager, given: Address, kind: ClaimKind, options: ClaimOptions = {}): Promise<ClaimOutcome> {
    const address = claimKey(given);
    const e164Destination = options.e164Destination ?? null;
    const localDomain = options.localDomain ? address.domain : null;
    // At most one reap per unique key (and one registration of the domain), then the answer stands.
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        // Survivable: on a violation the transaction goes on (reap, answer who holds it).
        await this.dialect.survivable(em, () =>
          em.query(INSERT_CLAIM, [address.username, address.domain, kind, e164Destination, localDomain]),
        );
        return { claimed: true };
      } catch (err) {
        if (localDomain !== null && this.dialect.isForeignKeyViolation(err)) {
          // A local domain kamprov has not registered (added behind its back, with kamctl).
          await this.openDomain(em, localDomain);
          continue;
        }
        if (!this.dialect.isUniqueViolation(err)) throw err;
        if (this.dialect.uniqueKey(err) === E164_KEY) {
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

  /**
   * The claim's INSERT alone, for a caller that sends it in a batch with its other writes
   * (SqlDialect.batch) and, should it fail (a unique key or the domain's foreign key), rolls
   * back and runs again with claim(), which reaps, registers the domain and answers who holds it.
   */
  claimInsert(given: Address, kind: ClaimKind, options: ClaimOptions = {}): Statement {
    const address = claimKey(given);
    return {
      sql: INSERT_CLAIM,
      params: [address.username, address.domain, kind, options.e164Destination ?? null, options.localDomain ? address.domain : null],
    };
  }

  /**
   * Registers a local domain, so that claims in it can reference it (domain/add; a claim in
   * an unregistered local domain registers it itself).
   */
  async openDomain(em: EntityManager, domain: string): Promise<void> {
    await em.query(this.dialect.insertIgnore(CLAIM_DOMAINS, ['domain'], '(?)'), [domain.toLowerCase()]);
  }

  /**
   * Unregisters a local domain, for domain/remove once it has found no user, subscriber or
   * alias in it: claims left there have no holder any more and go first. The delete makes
   * the domain's key part of the transaction's writes (inserted first if it was missing, so
   * there always is one). Every claim in the domain references that key: on a Galera cluster
   * an add committed on another node at the same moment makes certification abort one of
   * the two (the Transactor re-runs it); on one server the foreign key check of the add
   * share-locks the row that this deletes.
   */
  async closeDomain(em: EntityManager, domain: string): Promise<void> {
    const key = domain.toLowerCase();
    await this.openDomain(em, key);
    await em.query('DELETE FROM kamprov_address_claims WHERE local_domain = ?', [key]);
    await em.query(`DELETE FROM ${CLAIM_DOMAINS} WHERE domain = ?`, [key]);
  }

  /** Releases the address (only if `kind` holds it). */
  async release(em: EntityManager, given: Address, kind: ClaimKind): Promise<void> {
    const address = claimKey(given);
    await em.delete(AddressClaim, { username: address.username, domain: address.domain, kind });
  }

  private async holder(
    em: EntityManager,
    address: Address,
  ): Promise<{ id: number; kind: ClaimKind; username: string; domain: string } | undefined> {
    // A locking read sees the latest committed claim (a plain read could see an old snapshot).
    const rows = await em.query<{ id: number | string; kind: ClaimKind; username: string; domain: string }[]>(
      `SELECT id, kind, username, domain FROM kamprov_address_claims WHERE username = ? AND domain = ?${this.dialect.lockClause('share')}`,
      [address.username, address.domain],
    );
    const row = rows[0];
    return row ? { ...row, id: Number(row.id) } : undefined;
  }

  private async holderExists(em: EntityManager, claim: { kind: ClaimKind; username: string; domain: string }): Promise<boolean> {
    const check = this.holders.get(claim.kind);
    return check ? check(em, { username: claim.username, domain: claim.domain }) : true;
  }

  /** Frees the destination's E.164 slot when the alias that held it no longer points there. */
  private async reapStaleE164(em: EntityManager, destination: string): Promise<boolean> {
    const rows = await em.query<{ id: number | string; username: string; domain: string }[]>(
      `SELECT id, username, domain FROM kamprov_address_claims WHERE e164_destination = ?${this.dialect.lockClause('share')}`,
      [destination],
    );
    const row = rows[0];
    if (!row) return false;
    const at = destination.indexOf('@');
    const target = { username: destination.slice(0, at), domain: destination.slice(at + 1) };
    if (await this.aliases.pointsAt(em, { username: row.username, domain: row.domain }, target, 'share')) return false;
    await em.update(AddressClaim, { id: Number(row.id) }, { e164Destination: null });
    return true;
  }
}
