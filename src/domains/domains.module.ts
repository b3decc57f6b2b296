import { Module } from '@nestjs/common';

/** Placeholder: the domains nodes land here (see the issue tracker). */
@Module({})
export class DomainsModule {}
