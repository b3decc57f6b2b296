import { aliasesEntities } from '../aliases/entities';
import { AuditEntryEntity } from '../audit/entities/audit-entry.entity';
import { ApiKeyEntity } from '../auth/entities/api-key.entity';
import { DbAlias } from '../kamailio/entities/dbalias.entity';
import { KamailioDomain } from '../kamailio/entities/domain.entity';
import { Subscriber } from '../kamailio/entities/subscriber.entity';
import { numbersEntities } from '../numbers/entities';
import { phonesEntities } from '../phones/entities';
import { UserEntity } from '../users/entities/user.entity';

/** Every entity, Kamailio's and ours; the app and the migration CLI share this list. */
export const entities = [
  Subscriber,
  KamailioDomain,
  DbAlias,
  UserEntity,
  ...phonesEntities,
  ...numbersEntities,
  ...aliasesEntities,
  ApiKeyEntity,
  AuditEntryEntity,
];
