import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KamailioModule } from '../kamailio/kamailio.module';
import { AddressClaims } from './address-claims.service';
import { AddressClaim } from './entities/address-claim.entity';

/** kamprov's register of the SIP addresses it hands out, shared by users and aliases. */
@Module({
  imports: [TypeOrmModule.forFeature([AddressClaim]), KamailioModule],
  providers: [AddressClaims],
  exports: [AddressClaims],
})
export class ClaimsModule {}
