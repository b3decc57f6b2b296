import { Module } from '@nestjs/common';
import { ClaimsModule } from '../claims/claims.module';
import { KamailioModule } from '../kamailio/kamailio.module';
import { UsersModule } from '../users/users.module';
import { DomainsController } from './domains.controller';
import { DomainsService } from './domains.service';

/** domain/list, domain/add, domain/remove over Kamailio's domain table, with domain.reload. */
@Module({
  imports: [KamailioModule, UsersModule, ClaimsModule],
  controllers: [DomainsController],
  providers: [DomainsService],
})
export class DomainsModule {}
