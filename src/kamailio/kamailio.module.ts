import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AliasRepository } from './alias.repository';
import { DomainRepository } from './domain.repository';
import { DbAlias } from './entities/dbalias.entity';
import { KamailioDomain } from './entities/domain.entity';
import { Subscriber } from './entities/subscriber.entity';
import { KamailioRpcClient } from './kamailio-rpc.client';
import { SubscriberRepository } from './subscriber.repository';

/**
 * Owns Kamailio's tables (subscriber, domain, dbaliases; `version` only in the migration
 * that creates them): the only code that names them. ha1/ha1b and the JSON-RPC client.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Subscriber, KamailioDomain, DbAlias])],
  providers: [SubscriberRepository, AliasRepository, DomainRepository, KamailioRpcClient],
  exports: [SubscriberRepository, AliasRepository, DomainRepository, KamailioRpcClient],
})
export class KamailioModule {}
