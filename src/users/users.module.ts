import { Module } from '@nestjs/common';
import { KamailioModule } from '../kamailio/kamailio.module';
import { PasswordGenerator } from './password-generator';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [KamailioModule],
  controllers: [UsersController],
  providers: [UsersService, PasswordGenerator],
  exports: [UsersService],
})
export class UsersModule {}
