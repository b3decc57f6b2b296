import { Module } from '@nestjs/common';
import { KamailioModule } from '../kamailio/kamailio.module';
import { PasswordGenerator } from './password-generator';
import { UsersExceptionFilter } from './users-exception.filter';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [KamailioModule],
  controllers: [UsersController],
  providers: [UsersService, PasswordGenerator, UsersExceptionFilter],
  exports: [UsersService],
})
export class UsersModule {}
