import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Kamailio auth_db `subscriber` (table version 7). Written only by SubscriberRepository. */
@Entity('subscriber')
export class Subscriber {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64, default: '' })
  username: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  domain: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  password: string;

  @Column({ type: 'varchar', length: 128, default: '' })
  ha1: string;

  @Column({ type: 'varchar', length: 128, default: '' })
  ha1b: string;
}
