import { KamailioTables1764140000000 } from './1764140000000-KamailioTables';
import { ProvisioningUsers1764140000001 } from './1764140000001-ProvisioningUsers';

/** Every migration, in order. Listed explicitly so the app, the CLI and the tests agree. */
export const migrations = [KamailioTables1764140000000, ProvisioningUsers1764140000001];
