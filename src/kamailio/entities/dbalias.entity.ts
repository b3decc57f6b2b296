import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Kamailio alias_db `dbaliases` (table version 1). It has no unique key of its own. */
@Entity('dbaliases')
export class DbAlias {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'alias_username', type: 'varchar', length: 64, default: '' })
  aliasUsername: string;

  @Column({ name: 'alias_domain', type: 'varchar', length: 64, default: '' })
  aliasDomain: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  username: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  domain: string;
}
