import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClaimsModule } from '../claims/claims.module';
import { KamailioModule } from '../kamailio/kamailio.module';
import { UserEntity } from './entities/user.entity';
import { PasswordGenerator } from './password-generator';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), KamailioModule, ClaimsModule],
  controllers: [UsersController],
  providers: [UsersService, PasswordGenerator],
  exports: [UsersService],
})
export class UsersModule {}
