import { Module } from '@nestjs/common';

/** Placeholder: the numbers nodes land here (see the issue tracker). */
@Module({})
export class NumbersModule {}
