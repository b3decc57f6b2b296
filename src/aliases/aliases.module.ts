import { Module } from '@nestjs/common';
import { ClaimsModule } from '../claims/claims.module';
import { KamailioModule } from '../kamailio/kamailio.module';
import { UsersModule } from '../users/users.module';
import { AliasesController } from './aliases.controller';
import { AliasesService } from './aliases.service';

/** alias/add, alias/remove, alias/list over Kamailio's dbaliases. */
@Module({
  imports: [KamailioModule, ClaimsModule, UsersModule],
  controllers: [AliasesController],
  providers: [AliasesService],
})
export class AliasesModule {}
