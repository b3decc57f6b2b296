import { AddressClaim } from './address-claim.entity';

/** The aliases module's entities, registered with the data source in src/database/entities.ts. */
export const aliasesEntities: (new () => object)[] = [AddressClaim];
