import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { PhonesController } from './phones.controller';
import { PhonesService } from './phones.service';

/** phone/*: which hardphones (by MAC) carry which users. */
@Module({
  imports: [UsersModule],
  controllers: [PhonesController],
  providers: [PhonesService],
})
export class PhonesModule {}
