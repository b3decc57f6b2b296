import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Who holds a claimed address: a kamprov user (local or remote) or an alias. */
export type ClaimKind = 'user' | 'alias';

/**
 * kamprov's own register of the SIP address namespace it hands out. Every user creation
 * and every alias/add inserts a row in the same transaction as the user or alias itself;
 * user/remove and alias/remove delete it. The unique keys decide races that a
 * check-then-insert cannot: Kamailio's `dbaliases` has no unique key and kamprov never
 * alters Kamailio's tables.
 */
@Entity('kamprov_address_claims')
export class AddressClaim {
  @PrimaryGeneratedColumn()
  id: number;

  /** The claimed address' user part (UNIQUE with domain: one holder per address). */
  @Column({ type: 'varchar', length: 64 })
  username: string;

  /** The claimed address' domain, lower-case. */
  @Column({ type: 'varchar', length: 64 })
  domain: string;

  @Column({ type: 'varchar', length: 8 })
  kind: ClaimKind;

  /**
   * For an E.164 alias: its destination, `user@domain` (UNIQUE: a destination holds at
   * most one E.164 alias). Null for users and other aliases (NULLs never collide).
   */
  @Column({ name: 'e164_destination', type: 'varchar', length: 129, nullable: true })
  e164Destination: string | null;

  /**
   * For a claim in a local domain: that domain, lower-case, a foreign key to
   * `kamprov_claim_domains` (migration LocalDomainClaims), which domain/remove deletes; null
   * for an address in another domain (a remote user's).
   */
  @Column({ name: 'local_domain', type: 'varchar', length: 64, nullable: true })
  localDomain: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
