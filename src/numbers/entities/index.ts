import { NumberEntity } from './number.entity';

/** The numbers module's entities, registered with the data source in src/database/entities.ts. */
export const numbersEntities: (new () => object)[] = [NumberEntity];
