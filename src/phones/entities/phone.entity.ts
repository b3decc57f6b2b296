import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { UserEntity } from '../../users/entities/user.entity';

/**
 * One phone-to-user association: the hardphone with this MAC carries this user. A phone
 * may carry several users and a user may sit on several phones; each pair once (unique
 * key). The user is referenced with ON DELETE RESTRICT, so the database itself refuses
 * to remove a user while a phone carries it (user/remove answers failed/inuse).
 */
@Entity('kamprov_phones')
@Unique('kamprov_phones_mac_user_uq', ['mac', 'userId'])
@Index('kamprov_phones_user_idx', ['userId', 'mac'])
export class PhoneEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** 12 lower-case hex digits, no separators. */
  @Column({ type: 'varchar', length: 12 })
  mac: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  /** The line (1-based) the user takes on the phone; unique per phone (kamprov_phones_mac_line_uq). */
  @Column({ type: 'integer', default: 0 })
  line: number;

  @ManyToOne(() => UserEntity, { nullable: false, onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'kamprov_phones_user_fk' })
  user?: UserEntity;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
