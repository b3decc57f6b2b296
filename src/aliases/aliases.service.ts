import { Injectable } from '@nestjs/common';
import type { WriteAudit } from '../audit/write-audit';
import { Address, formatAddress } from '../common/user-ref';
import { isE164 } from '../common/validators/patterns';
import { Transactor } from '../database/transactor';
import { AddressClaims } from '../claims/address-claims.service';
import { AliasRepository } from '../kamailio/alias.repository';
import { DomainRepository } from '../kamailio/domain.repository';
import { SubscriberRepository } from '../kamailio/subscriber.repository';
import { UsersService } from '../users/users.service';
import { AliasView, toAliasView } from './alias-view';
import { AliasesError, AliasesErrorCode } from './aliases.errors';

export interface AliasQuery {
  destination?: Address;
  alias?: Address;
  e164Only?: boolean;
  limit?: number;
}

/**
 * Kamailio's alias_db aliases (`dbaliases`), with kamprov's rules: the alias domain is
 * local; a local destination is an existing subscriber; an alias never shares its address
 * with another alias, a user or a subscriber; a destination holds at most one E.164
 * alias. The rules hold under concurrency through the address claims' unique keys and
 * the destination user's row lock (see add()).
 */
@Injectable()
export class AliasesService {
  constructor(
    private readonly transactor: Transactor,
    private readonly domains: DomainRepository,
    private readonly subscribers: SubscriberRepository,
    private readonly aliases: AliasRepository,
    private readonly claims: AddressClaims,
    private readonly users: UsersService,
  ) {}

  /**
   * Adds the alias. The destination is written (and answered) as stored: a local one as
   * its subscriber's username, a kamprov user's as the user's, domains lower-case; so a
   * caller's `ALICE` (same account as `alice` on MariaDB) never reaches `dbaliases`.
   */
  async add(alias: Address, given: Address, audit?: WriteAudit): Promise<AliasView> {
    return this.transactor.run(async (em) => {
      // Share-locked: domain/remove cannot take the domain away before this commits.
      if (!(await this.domains.isLocal(alias.domain, em, 'share'))) {
        throw new AliasesError(AliasesErrorCode.DomainNotLocal, `${alias.domain} is not a local (Kamailio) domain`);
      }
      const localDestination = await this.domains.isLocal(given.domain, em, 'share');
      let destination: Address = { username: given.username, domain: given.domain.toLowerCase() };
      if (localDestination) {
        const subscriber = await this.subscribers.find(em, given.username, given.domain);
        if (!subscriber) throw destinationNotFound(given);
        destination = { username: subscriber.username, domain: subscriber.domain.toLowerCase() };
      } else {
        const user = await this.users.findStored(em, given);
        if (user) destination = user.address;
      }
      // Friendly words and rows written behind kamprov's back; the claim below decides races.
      if (await this.aliases.exists(em, alias.username, alias.domain)) throw aliasExists(alias);
      if ((await this.users.findId(em, alias)) !== undefined || (await this.subscribers.exists(em, alias.username, alias.domain))) {
        throw addressIsUser(alias);
      }
      const e164 = isE164(alias.username);
      if (e164) {
        const held = await this.aliases.e164To(em, destination);
        if (held.length > 0) throw e164Taken(destination, held[0]);
      }
      // The claim comes before any row lock: a user/add_local of the same address that
      // holds it then never waits for a lock of ours (no deadlock), it only makes us wait.
      // Its domain is local: the claim references it, so domain/remove cannot commit beside it.
      const claim = await this.claims.claim(em, alias, 'alias', {
        e164Destination: e164 ? formatAddress(destination) : null,
        localDomain: true,
      });
      if (!claim.claimed) {
        switch (claim.heldBy) {
          case 'alias':
            throw aliasExists(alias);
          case 'user':
            throw addressIsUser(alias);
          case 'e164':
            throw e164Taken(destination);
        }
      }
      if (localDestination) {
        // Lock the destination user's row (and its subscriber), as user/remove does: the two
        // serialize, so user/remove either sees this alias (inuse) or has removed the user
        // before this re-check, which reads the latest committed rows. And write that row: on
        // a Galera cluster only rows both transactions write make one of them lose.
        const userId = await this.users.findId(em, destination, true);
        if (userId !== undefined) await this.users.conflictWithRemoval(em, userId);
        if (!(await this.subscribers.exists(em, destination.username, destination.domain, 'share'))) {
          throw destinationNotFound(destination);
        }
      }
      await this.aliases.add(em, alias, destination);
      await audit?.recordOk(em);
      return toAliasView({ alias, destination });
    }, audit);
  }

  /** Removes the alias (every duplicate row of it) and releases its address. */
  async remove(alias: Address, audit?: WriteAudit): Promise<AliasView> {
    return this.transactor.run(async (em) => {
      const rows = await this.aliases.rowsOf(em, alias, 'update');
      if (rows.length === 0) throw new AliasesError(AliasesErrorCode.NotFound, `no alias ${formatAddress(alias)}`);
      await this.aliases.remove(em, alias);
      await this.claims.release(em, alias, 'alias');
      await audit?.recordOk(em);
      return toAliasView(rows[0]);
    }, audit);
  }

  async list(query: AliasQuery): Promise<AliasView[]> {
    const rows = await this.aliases.list(query);
    return rows.map(toAliasView);
  }
}

const destinationNotFound = (d: Address) =>
  new AliasesError(AliasesErrorCode.DestinationNotFound, `${formatAddress(d)} is at a local domain but is no subscriber`);
const aliasExists = (a: Address) => new AliasesError(AliasesErrorCode.AlreadyExists, `the alias ${formatAddress(a)} already exists`);
const addressIsUser = (a: Address) =>
  new AliasesError(AliasesErrorCode.AlreadyExists, `${formatAddress(a)} is a user's address (a user or a Kamailio subscriber)`);
const e164Taken = (destination: Address, existing?: string) =>
  new AliasesError(
    AliasesErrorCode.E164Taken,
    `${formatAddress(destination)} already has an E.164 alias${existing ? ` (${existing})` : ''}; a destination holds at most one`,
  );
