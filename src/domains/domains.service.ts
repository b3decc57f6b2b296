import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '../database/db-errors';
import { Transactor } from '../database/transactor';
import { KamailioRpcClient } from '../kamailio/kamailio-rpc.client';
import { KamailioService } from '../kamailio/kamailio.service';
import { UserEntity } from '../users/entities/user.entity';
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
    private readonly transactor: Transactor,
    private readonly kamailio: KamailioService,
    private readonly rpc: KamailioRpcClient,
  ) {}

  list(limit?: number): Promise<string[]> {
    return this.kamailio.listDomains(limit);
  }

  async add(domain: string): Promise<DomainChange> {
    try {
      await this.transactor.run(async (em) => {
        if (await this.kamailio.isLocalDomain(domain, em)) throw exists(domain);
        await this.kamailio.addDomain(em, domain);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw exists(domain);
      throw err;
    }
    return this.reloaded(domain);
  }

  /** Refused while kamprov users, Kamailio subscribers or aliases live in the domain. */
  async remove(domain: string): Promise<DomainChange> {
    await this.transactor.run(async (em) => {
      // Locked first: user and alias creation share-lock the row, so none is in flight
      // when the counts below are read, and none can start until this commits.
      const ids = await this.kamailio.lockDomain(em, domain);
      if (ids.length === 0) throw new DomainsError(DomainsErrorCode.NotFound, `${domain} is not a local (Kamailio) domain`);
      const users = await em
        .createQueryBuilder(UserEntity, 'u')
        .where('LOWER(u.domain) = :domain', { domain: domain.toLowerCase() })
        .getCount();
      const { subscribers, aliases } = await this.kamailio.domainUsage(em, domain);
      if (users + subscribers + aliases > 0) {
        throw new DomainsError(
          DomainsErrorCode.InUse,
          `${domain} still has ${users} user(s), ${subscribers} Kamailio subscriber(s) and ${aliases} alias(es); remove them first`,
        );
      }
      await this.kamailio.removeDomainRows(em, ids);
    });
    return this.reloaded(domain);
  }

  private async reloaded(domain: string): Promise<DomainChange> {
    const outcome = await this.rpc.reloadDomains();
    return outcome.confirmed ? { domain, reloaded: true } : { domain, reloaded: false, detail: outcome.detail };
  }
}

const exists = (domain: string) => new DomainsError(DomainsErrorCode.AlreadyExists, `${domain} is already a local domain`);
