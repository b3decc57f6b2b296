import { Module } from '@nestjs/common';

/** Placeholder: the phones nodes land here (see the issue tracker). */
@Module({})
export class PhonesModule {}
