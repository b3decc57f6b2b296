import { Module } from '@nestjs/common';
import { KamailioModule } from '../kamailio/kamailio.module';
import { UsersModule } from '../users/users.module';
import { AliasesController } from './aliases.controller';
import { AliasesService } from './aliases.service';

/** alias/add, alias/remove, alias/list over Kamailio's dbaliases. */
@Module({
  imports: [KamailioModule, UsersModule],
  controllers: [AliasesController],
  providers: [AliasesService],
})
export class AliasesModule {}
