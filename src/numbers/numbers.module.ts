import { Module } from '@nestjs/common';
import { NumbersExceptionFilter } from './numbers-exception.filter';
import { NumbersController } from './numbers.controller';
import { NumbersService } from './numbers.service';

/** numbers/*: the pool of E.164 numbers available for assignment. */
@Module({
  controllers: [NumbersController],
  providers: [NumbersService, NumbersExceptionFilter],
})
export class NumbersModule {}
