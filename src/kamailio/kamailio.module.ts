import { Module } from '@nestjs/common';
import { KamailioService } from './kamailio.service';

/** Owns Kamailio's tables (subscriber, domain, dbaliases), ha1/ha1b and the local-domain check. */
@Module({ providers: [KamailioService], exports: [KamailioService] })
export class KamailioModule {}
