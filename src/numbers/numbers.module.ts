import { Module } from '@nestjs/common';
import { NumbersController } from './numbers.controller';
import { NumbersService } from './numbers.service';

/** numbers/*: the pool of E.164 numbers available for assignment. */
@Module({
  controllers: [NumbersController],
  providers: [NumbersService],
})
export class NumbersModule {}
