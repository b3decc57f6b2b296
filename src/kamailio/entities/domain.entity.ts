import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Kamailio domain module `domain` (table version 2): the domains Kamailio treats as local. */
@Entity('domain')
export class KamailioDomain {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  domain: string;

  @Column({ type: 'varchar', length: 64, nullable: true, default: null })
  did: string | null;

  @Column({ name: 'last_modified', type: 'datetime' })
  lastModified: Date;
}
