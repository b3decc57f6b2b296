import { KamailioTables1764140000000 } from './1764140000000-KamailioTables';
import { ProvisioningUsers1764140000001 } from './1764140000001-ProvisioningUsers';
import { Phones1764140000002 } from './1764140000002-Phones';
import { NumberPool1764140000003 } from './1764140000003-NumberPool';
import { AliasClaims1764140000004 } from './1764140000004-AliasClaims';
import { Security1764140000005 } from './1764140000005-Security';
import { PhoneProvisioning1764140000006 } from './1764140000006-PhoneProvisioning';
import { KeyNames1764140000007 } from './1764140000007-KeyNames';
import { UserRowVersion1764140000008 } from './1764140000008-UserRowVersion';
import { LocalDomainClaims1764140000009 } from './1764140000009-LocalDomainClaims';

/** Every migration, in order. Listed explicitly so the app, the CLI and the tests agree. */
export const migrations = [
  KamailioTables1764140000000,
  ProvisioningUsers1764140000001,
  Phones1764140000002,
  NumberPool1764140000003,
  AliasClaims1764140000004,
  Security1764140000005,
  PhoneProvisioning1764140000006,
  KeyNames1764140000007,
  UserRowVersion1764140000008,
  LocalDomainClaims1764140000009,
];
