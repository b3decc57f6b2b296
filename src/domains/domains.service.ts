import { Injectable } from '@nestjs/common';
import type { WriteAudit } from '../audit/write-audit';
import { AddressClaims } from '../claims/address-claims.service';
import { SqlDialect } from '../database/sql-dialect';
import { Transactor } from '../database/transactor';
import { AliasRepository } from '../kamailio/alias.repository';
import { DomainRepository } from '../kamailio/domain.repository';
import { KamailioRpcClient } from '../kamailio/kamailio-rpc.client';
import { SubscriberRepository } from '../kamailio/subscriber.repository';
import { UsersService } from '../users/users.service';
import { DomainsError, DomainsErrorCode } from './domains.errors';

/** The answer of domain/add and domain/remove. */
export interface DomainChange {
  domain: string;
  reloaded: boolean;
  detail?: string;
}

/**
 * Kamailio's local domains (the `domain` table). Each change is committed first and then
 * followed by `domain.reload` over JSON-RPC when KAMAILIO_RPC_URL is set; a Kamailio that
 * does not confirm never undoes the change.
 */
@Injectable()
export class DomainsService {
  constructor(
    private readonly dialect: SqlDialect,
    private readonly transactor: Transactor,
    private readonly domains: DomainRepository,
    private readonly subscribers: SubscriberRepository,
    private readonly aliases: AliasRepository,
    private readonly users: UsersService,
    private readonly claims: AddressClaims,
    private readonly rpc: KamailioRpcClient,
  ) {}

  list(limit?: number): Promise<string[]> {
    return this.domains.list(limit);
  }

  listChunks(limit?: number): AsyncGenerator<string[]> {
    return this.domains.listChunks(limit);
  }

  /** The audit record commits with the row; the reload (RPC, never throws) runs after the commit. */
  async add(domain: string, audit?: WriteAudit): Promise<DomainChange> {
    try {
      await this.transactor.run(async (em) => {
        if (await this.domains.isLocal(domain, em)) throw exists(domain);
        await this.domains.add(em, domain);
        await this.claims.openDomain(em, domain);
        await audit?.recordOk(em);
      }, audit);
    } catch (err) {
      if (this.dialect.isUniqueViolation(err)) throw exists(domain);
      throw err;
    }
    return this.reloaded(domain, audit);
  }

  /** Refused while kamprov users, Kamailio subscribers or aliases live in the domain. */
  async remove(domain: string, audit?: WriteAudit): Promise<DomainChange> {
    try {
      await this.transactor.run(async (em) => {
        // Locked first: user and alias creation share-lock the row, so none is in flight
        // when the counts below are read, and none can start until this commits.
        const ids = await this.domains.lock(em, domain);
        if (ids.length === 0) throw new DomainsError(DomainsErrorCode.NotFound, `${domain} is not a local (Kamailio) domain`);
        // Locking reads, which see the latest committed rows. On a Galera cluster neither
        // these nor the row lock above reach the other nodes; closeDomain below is what an
        // add committed there at the same moment conflicts with (see AddressClaims).
        const users = await this.users.countInDomain(em, domain, 'share');
        const subscribers = await this.subscribers.countInDomain(em, domain, 'share');
        const aliases = await this.aliases.countInDomain(em, domain, 'share');
        if (users + subscribers + aliases > 0) throw inUse(domain, users, subscribers, aliases);
        await this.domains.removeRows(em, ids);
        await this.claims.closeDomain(em, domain);
        await audit?.recordOk(em);
      }, audit);
    } catch (err) {
      // A claim still referencing the domain: an add won the race (not seen on a plain server).
      if (this.dialect.isForeignKeyViolation(err))
        throw new DomainsError(DomainsErrorCode.InUse, `${domain} is still in use; remove its users and aliases first`);
      throw err;
    }
    return this.reloaded(domain, audit);
  }

  private async reloaded(domain: string, audit: WriteAudit | undefined): Promise<DomainChange> {
    const outcome = await this.rpc.reloadDomains(audit);
    return outcome.confirmed ? { domain, reloaded: true } : { domain, reloaded: false, detail: outcome.detail };
  }
}

const inUse = (domain: string, users: number, subscribers: number, aliases: number) =>
  new DomainsError(
    DomainsErrorCode.InUse,
    `${domain} still has ${users} user(s), ${subscribers} Kamailio subscriber(s) and ${aliases} alias(es); remove them first`,
  );
const exists = (domain: string) => new DomainsError(DomainsErrorCode.AlreadyExists, `${domain} is already a local domain`);
