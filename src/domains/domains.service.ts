import { Injectable } from '@nestjs/common';
import type { WriteAudit } from '../audit/write-audit';
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
        await audit?.recordOk(em);
      });
    } catch (err) {
      if (this.dialect.isUniqueViolation(err)) throw exists(domain);
      throw err;
    }
    return this.reloaded(domain);
  }

  /** Refused while kamprov users, Kamailio subscribers or aliases live in the domain. */
  async remove(domain: string, audit?: WriteAudit): Promise<DomainChange> {
    await this.transactor.run(async (em) => {
      // Locked first: user and alias creation share-lock the row, so none is in flight
      // when the counts below are read, and none can start until this commits.
      const ids = await this.domains.lock(em, domain);
      if (ids.length === 0) throw new DomainsError(DomainsErrorCode.NotFound, `${domain} is not a local (Kamailio) domain`);
      // Locking reads too: on a Galera cluster the row lock above does not reach the other
      // nodes, and an add committed there is certified without a conflict (it writes no key
      // this writes). Its rows then arrive here while these read locks are held, and Galera
      // aborts this transaction (a brute-force abort), which the Transactor re-runs: it sees
      // the new user and answers inuse instead of removing the domain under it.
      const users = await this.users.countInDomain(em, domain, 'share');
      const subscribers = await this.subscribers.countInDomain(em, domain, 'share');
      const aliases = await this.aliases.countInDomain(em, domain, 'share');
      if (users + subscribers + aliases > 0) {
        throw new DomainsError(
          DomainsErrorCode.InUse,
          `${domain} still has ${users} user(s), ${subscribers} Kamailio subscriber(s) and ${aliases} alias(es); remove them first`,
        );
      }
      await this.domains.removeRows(em, ids);
      await audit?.recordOk(em);
    });
    return this.reloaded(domain);
  }

  private async reloaded(domain: string): Promise<DomainChange> {
    const outcome = await this.rpc.reloadDomains();
    return outcome.confirmed ? { domain, reloaded: true } : { domain, reloaded: false, detail: outcome.detail };
  }
}

const exists = (domain: string) => new DomainsError(DomainsErrorCode.AlreadyExists, `${domain} is already a local domain`);
