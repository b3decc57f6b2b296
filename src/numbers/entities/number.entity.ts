import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One number in the pool. `number` holds the digits of the E.164 number (without the
 * plus) as an unsigned BIGINT: at most 15 digits, the first 1-9, so the mapping is
 * one-to-one, the unique index orders numerically, and every value stays below 2^53.
 * `id` is a dense auto-increment key that numbers/list?random=true samples from.
 */
@Entity('kamprov_numbers')
export class NumberEntity {
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true })
  id: number;

  /** BIGINT: MariaDB answers it as a string, SQLite as a number. */
  @Index('kamprov_numbers_number_uq', { unique: true })
  @Column({ type: 'bigint', unsigned: true })
  number: string;
}
