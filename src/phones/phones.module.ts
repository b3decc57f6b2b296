import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { PhoneEntity } from './entities/phone.entity';
import { PhonesController } from './phones.controller';
import { PhonesService } from './phones.service';

/** phone/*: which hardphones (by MAC) carry which users. */
@Module({
  imports: [TypeOrmModule.forFeature([PhoneEntity]), UsersModule],
  controllers: [PhonesController],
  providers: [PhonesService],
})
export class PhonesModule {}
