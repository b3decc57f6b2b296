import { TypeOrmModule } from '@nestjs/typeorm';
import { AddressClaims } from '../../src/claims/address-claims.service';
import { ClaimsModule } from '../../src/claims/claims.module';
import type { Address } from '../../src/common/user-ref';
import { SqlDialect } from '../../src/database/sql-dialect';
import { Transactor } from '../../src/database/transactor';
import { KamailioModule } from '../../src/kamailio/kamailio.module';
import { UserEntity } from '../../src/users/entities/user.entity';
import { PasswordGenerator } from '../../src/users/password-generator';
import { UsersService } from '../../src/users/users.service';
import { onEveryDatabase, rejection, tag } from './support/medium';

const DOMAIN = 'claims.medium.test';

/**
 * Address claims and their reaping: a claim whose holder vanished behind kamprov's back
 * (a user or an alias row deleted with kamctl or SQL) gives way; a live holder never does.
 * UsersService is in the module because it registers how to find a user.
 */
onEveryDatabase(
  'AddressClaims',
  { imports: [TypeOrmModule.forFeature([UserEntity]), KamailioModule, ClaimsModule], providers: [UsersService, PasswordGenerator] },
  (ctx) => {
    const claims = () => ctx().get<AddressClaims>(AddressClaims);
    const inTx = <T>(work: Parameters<Transactor['run']>[0]) => ctx().get<Transactor>(Transactor).run(work) as Promise<T>;
    const address = (): Address => ({ username: tag(), domain: DOMAIN });
    const claimRows = (a: Address) =>
      ctx().db.query<{ kind: string; e164_destination: string | null }>(
        'SELECT kind, e164_destination FROM kamprov_address_claims WHERE username = ? AND domain = ?',
        [a.username, a.domain],
      );
    const addUser = (a: Address) =>
      ctx().db.exec("INSERT INTO kamprov_users (username, domain, type) VALUES (?, ?, 'remote')", [a.username, a.domain]);
    const addAlias = (a: Address, to: Address) =>
      ctx().db.exec('INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES (?, ?, ?, ?)', [
        a.username,
        a.domain,
        to.username,
        to.domain,
      ]);

    it('claims a free address once; a second claim names the live holder', async () => {
      const a = address();
      await addUser(a);
      await expect(inTx((em) => claims().claim(em, a, 'user'))).resolves.toEqual({ claimed: true });
      await expect(inTx((em) => claims().claim(em, a, 'alias'))).resolves.toEqual({ claimed: false, heldBy: 'user' });
      expect(await claimRows(a)).toEqual([{ kind: 'user', e164_destination: null }]);
    });

    it('reaps the claim of a user that vanished behind kamprov', async () => {
      const a = address();
      await ctx().db.exec("INSERT INTO kamprov_address_claims (username, domain, kind) VALUES (?, ?, 'user')", [a.username, a.domain]);
      // No kamprov_users row: the holder is gone.
      await expect(inTx((em) => claims().claim(em, a, 'alias'))).resolves.toEqual({ claimed: true });
      expect(await claimRows(a)).toEqual([{ kind: 'alias', e164_destination: null }]);
    });

    it('reaps the claim of an alias whose dbaliases rows vanished, but not of a live alias', async () => {
      const gone = address();
      const live = address();
      const to = address();
      await ctx().db.exec("INSERT INTO kamprov_address_claims (username, domain, kind) VALUES (?, ?, 'alias'), (?, ?, 'alias')", [
        gone.username,
        gone.domain,
        live.username,
        live.domain,
      ]);
      await addAlias(live, to);
      await expect(inTx((em) => claims().claim(em, gone, 'user'))).resolves.toEqual({ claimed: true });
      await expect(inTx((em) => claims().claim(em, live, 'user'))).resolves.toEqual({ claimed: false, heldBy: 'alias' });
      expect(await claimRows(gone)).toEqual([{ kind: 'user', e164_destination: null }]);
      expect(await claimRows(live)).toEqual([{ kind: 'alias', e164_destination: null }]);
    });

    it('one E.164 alias per destination; the slot frees when that alias no longer points there', async () => {
      const to = address();
      const destination = `${to.username}@${to.domain}`;
      const stamp = String(Date.now() % 1e5).padStart(5, '0');
      const e164 = (n: number): Address => ({ username: `+4722${stamp}${n}`, domain: DOMAIN });
      const first = e164(1);
      await expect(inTx((em) => claims().claim(em, first, 'alias', { e164Destination: destination }))).resolves.toEqual({ claimed: true });
      await addAlias(first, to);
      await expect(inTx((em) => claims().claim(em, e164(2), 'alias', { e164Destination: destination }))).resolves.toEqual({
        claimed: false,
        heldBy: 'e164',
      });
      // The first alias is re-pointed behind kamprov's back: its E.164 slot at `to` is stale.
      await ctx().db.exec('UPDATE dbaliases SET username = ? WHERE alias_username = ? AND alias_domain = ?', [
        tag(),
        first.username,
        first.domain,
      ]);
      await expect(inTx((em) => claims().claim(em, e164(3), 'alias', { e164Destination: destination }))).resolves.toEqual({
        claimed: true,
      });
      expect(await claimRows(first)).toEqual([{ kind: 'alias', e164_destination: null }]);
      expect(await claimRows(e164(3))).toEqual([{ kind: 'alias', e164_destination: destination }]);
    });

    describe('local domains (kamprov_claim_domains, the reference Galera certifies)', () => {
      const registered = async (domain: string) =>
        (await ctx().db.query<{ domain: string }>('SELECT domain FROM kamprov_claim_domains WHERE domain = ?', [domain])).length;
      const localDomainOf = async (a: Address) =>
        (
          await ctx().db.query<{ local_domain: string | null }>(
            'SELECT local_domain FROM kamprov_address_claims WHERE username = ? AND domain = ?',
            [a.username, a.domain],
          )
        ).map((r) => r.local_domain);

      it('a claim in a local domain nobody registered (added behind kamprov) registers it and references it', async () => {
        const domain = `${tag()}.local.test`;
        const a: Address = { username: tag(), domain: domain.toUpperCase() };
        expect(await registered(domain)).toBe(0);
        await expect(inTx((em) => claims().claim(em, a, 'user', { localDomain: true }))).resolves.toEqual({ claimed: true });
        expect(await registered(domain)).toBe(1);
        expect(await localDomainOf({ username: a.username, domain })).toEqual([domain]);
      });

      it('a claim elsewhere references nothing', async () => {
        const a = address();
        await inTx((em) => claims().claim(em, a, 'user'));
        expect(await localDomainOf(a)).toEqual([null]);
      });

      it('the domain row cannot be deleted while a claim references it (the foreign key exists on this database)', async () => {
        const domain = `${tag()}.local.test`;
        await inTx((em) => claims().claim(em, { username: tag(), domain }, 'alias', { localDomain: true }));
        const err = await rejection(ctx().dataSource.query('DELETE FROM kamprov_claim_domains WHERE domain = ?', [domain]));
        expect(ctx().get<SqlDialect>(SqlDialect).isForeignKeyViolation(err)).toBe(true);
        expect(await registered(domain)).toBe(1);
      });

      it('closeDomain takes the stale claims and the registration; openDomain twice is one row', async () => {
        const domain = `${tag()}.local.test`;
        await inTx((em) => claims().openDomain(em, domain));
        await inTx((em) => claims().openDomain(em, domain.toUpperCase()));
        expect(await registered(domain)).toBe(1);
        const stale: Address = { username: tag(), domain };
        await inTx((em) => claims().claim(em, stale, 'user', { localDomain: true }));
        await inTx((em) => claims().closeDomain(em, domain.toUpperCase()));
        expect(await registered(domain)).toBe(0);
        expect(await claimRows(stale)).toEqual([]);
        // A domain never registered: closing it is no error and leaves nothing behind.
        const never = `${tag()}.local.test`;
        await inTx((em) => claims().closeDomain(em, never));
        expect(await registered(never)).toBe(0);
      });
    });

    it('release frees only the kind that holds the address', async () => {
      const a = address();
      await addUser(a);
      await inTx((em) => claims().claim(em, a, 'user'));
      await inTx((em) => claims().release(em, a, 'alias'));
      expect(await claimRows(a)).toHaveLength(1);
      await inTx((em) => claims().release(em, a, 'user'));
      expect(await claimRows(a)).toHaveLength(0);
    });
  },
);
