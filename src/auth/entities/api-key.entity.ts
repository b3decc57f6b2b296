import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../common/roles';

/** An API key: only its SHA-256 is stored, never the key. */
@Entity('kamprov_api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  role: Role;

  /** The public part of the key (`kp_<keyId>_<secret>`), to find the row. */
  @Column({ name: 'key_id', type: 'varchar', length: 16 })
  keyId: string;

  /** SHA-256 (hex) of the whole key. */
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'datetime', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'datetime', nullable: true })
  revokedAt: Date | null;
}
