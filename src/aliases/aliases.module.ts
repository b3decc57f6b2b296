import { Module } from '@nestjs/common';

/** Placeholder: the aliases nodes land here (see the issue tracker). */
@Module({})
export class AliasesModule {}
