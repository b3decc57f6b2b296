import { PhoneEntity } from './phone.entity';

/** The phones module's entities, registered with the data source in src/database/entities.ts. */
export const phonesEntities: (new () => object)[] = [PhoneEntity];
