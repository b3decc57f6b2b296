import { Module } from '@nestjs/common';
import { AddressClaims } from './address-claims.service';
import { KamailioRpcClient } from './kamailio-rpc.client';
import { KamailioService } from './kamailio.service';

/**
 * Owns Kamailio's tables (subscriber, domain, dbaliases), ha1/ha1b, the local-domain
 * check, kamprov's address claims over that namespace and the JSON-RPC client.
 */
@Module({
  providers: [KamailioService, AddressClaims, KamailioRpcClient],
  exports: [KamailioService, AddressClaims, KamailioRpcClient],
})
export class KamailioModule {}
