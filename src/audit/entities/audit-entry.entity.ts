import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One write attempt: what, on what, by which key, when, and how it ended. */
@Entity('kamprov_audit')
export class AuditEntryEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'datetime' })
  at: Date;

  /** `group/node`, e.g. `user/add_local`. */
  @Column({ type: 'varchar', length: 64 })
  node: string;

  @Column({ type: 'varchar', length: 255 })
  target: string;

  @Column({ name: 'key_name', type: 'varchar', length: 64, nullable: true })
  keyName: string | null;

  /** `ok`, or `response/cause` such as `failed/exists`. */
  @Column({ type: 'varchar', length: 32 })
  outcome: string;

  @Column({ type: 'integer' })
  status: number;
}
