import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type UserType = 'local' | 'remote';

/** kamprov's record of a user. A local user's password lives in Kamailio's `subscriber`. */
@Entity('kamprov_users')
export class UserEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ type: 'varchar', length: 64 })
  domain: string;

  @Column({ type: 'varchar', length: 8 })
  type: UserType;

  @Column({ type: 'varchar', length: 128, nullable: true })
  displayname: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  email: string | null;

  /** Remote users only; null for local users. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  password: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  registrar: string | null;

  @Column({ name: 'r_port', type: 'integer', nullable: true })
  rPort: number | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  proxy: string | null;

  @Column({ name: 'p_port', type: 'integer', nullable: true })
  pPort: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  authid: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  dialplan: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  linetext: string | null;

  /** Bumped by writes that must conflict with this user's removal on a Galera cluster (migration UserRowVersion). */
  @Column({ name: 'row_version', type: 'integer', default: 0 })
  rowVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
