import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestAuthorization } from '../../src/provisioning/digest';
import { startApp, TestApp } from '../support/app';
import { databaseTargets, mysqlSkipped, TestDatabase } from '../support/databases';
import { freeSipListenPort, freeUdpPort } from '../support/process';
import { interopAvailable, KamailioInstance } from './support/kamailio';

/**
 * Phone provisioning end to end (issue 13): real SIP clients get their configuration from
 * kamprov's /prov and REGISTER with it at a real Kamailio (the interop suite's). baresip is
 * given the `accounts` file fetched with Digest; linphone (linphonec) fetches its own
 * configuration from the token URL (`[misc] config-uri`).
 */
const D = 'sip.example.com';
const CLIENTS = ['baresip', 'linphonec'];

const onPath = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

function clientsAvailable(): boolean {
  const missing = CLIENTS.filter((c) => !onPath(c));
  if (missing.length === 0) return true;
  if (process.env.REQUIRE_KAMAILIO === '1') {
    throw new Error(`REQUIRE_KAMAILIO=1 but ${missing.join(' and ')} not on the PATH (apt-get install baresip-core linphone-cli)`);
  }
  return false;
}

const available = interopAvailable() && clientsAvailable();

if (!available) {
  describe('provisioning interop', () => {
    it.skip('SKIPPED: kamailio, sipp, baresip or linphonec is not on the PATH (apt-get install baresip-core linphone-cli)', () =>
      undefined);
  });
}

/** Runs a client for a while (or until `done` matches its output) and answers what it said. */
function runClient(
  cmd: string,
  args: string[],
  opts: { cwd: string; seconds: number; done: RegExp; stdin?: boolean; env?: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const child: ChildProcess = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const stop = () => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    };
    const timer = setTimeout(stop, opts.seconds * 1000);
    const take = (d: Buffer) => {
      out += d.toString();
      if (opts.done.test(out)) stop();
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

for (const target of available ? databaseTargets() : []) {
  describe(`provisioning interop [${target.kind}]`, () => {
    let db: TestDatabase;
    let app: TestApp;
    let kamailio: KamailioInstance;
    const dirs: string[] = [];
    const tmp = () => {
      const d = mkdtempSync(join(tmpdir(), 'kamprov-phone-'));
      dirs.push(d);
      return d;
    };

    beforeAll(async () => {
      db = await target.create();
      const kamailioDbUrl = db.kind === 'sqlite' ? `sqlite:///${db.url.slice('sqlite:'.length)}` : db.url;
      kamailio = new KamailioInstance({ dbUrl: kamailioDbUrl, ha1: true });
      await kamailio.allocatePorts();
      app = await startApp({ DATABASE_URL: db.url, PROVISIONING_SIP_SERVER: `127.0.0.1:${kamailio.sipPort}` });
      await db.exec('INSERT INTO domain (domain, did) VALUES (?, ?)', [D, D]);
      await kamailio.start();
    }, 60_000);

    afterAll(async () => {
      kamailio?.stop();
      await app?.close();
      await db?.drop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    /** GET a /prov file with Digest, as a phone does. */
    async function fetchWithDigest(path: string, creds: { username: string; password: string }): Promise<string> {
      const first = await fetch(app.baseUrl + path);
      expect(first.status).toBe(401);
      const challenge = first.headers.get('www-authenticate')!.split(/,\s*(?=Digest )/)[1]; // MD5, as most phones
      const res = await fetch(app.baseUrl + path, { headers: { authorization: digestAuthorization(challenge, creds, 'GET', path) } });
      expect(res.status).toBe(200);
      return res.text();
    }

    /** baresip with the given accounts file: its output once it registered (or gave up). */
    async function baresip(accounts: string): Promise<string> {
      for (let attempt = 1; ; attempt++) {
        const dir = tmp();
        writeFileSync(join(dir, 'accounts'), accounts);
        writeFileSync(
          join(dir, 'config'),
          [
            `sip_listen 127.0.0.1:${await freeSipListenPort()}`,
            'module_path /usr/lib/baresip/modules',
            'module_app account.so',
            'module g711.so',
            'audio_player aufile,/dev/null',
            'audio_source aufile,/dev/null',
            'audio_alert aufile,/dev/null',
            '',
          ].join('\n'),
        );
        const out = await runClient('baresip', ['-f', dir, '-t', '8'], { cwd: dir, seconds: 10, done: /\b(200 OK|40[13] \w+)/ });
        // Its ports were free a moment before it bound them; another process may have taken one since.
        if (attempt < 3 && /ua: init failed \(Address already in use\)/.test(out)) continue;
        return out;
      }
    }

    let baresipCreds: { username: string; password: string };
    const BARESIP_MAC = '0a0b0c0d0e01';

    it('baresip REGISTERs with the accounts file fetched with Digest (200 OK)', async () => {
      expect((await app.get(`/user/add_local?username=alice&domain=${D}&displayname=Alice`)).status).toBe(200);
      expect((await app.get(`/phone/set?mac=${BARESIP_MAC}&vendor=baresip`)).status).toBe(200);
      expect((await app.get(`/phone/add?mac=${BARESIP_MAC}&user=alice@${D}`)).status).toBe(200);
      baresipCreds = (await app.get(`/phone/secret?mac=${BARESIP_MAC}`)).body as typeof baresipCreds;
      const accounts = await fetchWithDigest(`/prov/${BARESIP_MAC}/accounts`, baresipCreds);
      expect(accounts).toContain(`<sip:alice@${D};transport=udp>`);
      const out = await baresip(accounts);
      expect(out).toMatch(/alice@sip\.example\.com.*200 OK/);
    }, 30_000);

    it('after user/change_pw the re-fetched accounts file registers again and the old one is refused', async () => {
      const old = await fetchWithDigest(`/prov/${BARESIP_MAC}/accounts`, baresipCreds);
      expect((await app.get(`/user/change_pw?user=alice@${D}`)).status).toBe(200);
      const fresh = await fetchWithDigest(`/prov/${BARESIP_MAC}/accounts`, baresipCreds);
      expect(fresh).not.toBe(old);
      expect(await baresip(fresh)).toMatch(/alice@sip\.example\.com.*200 OK/);
      const refused = await baresip(old);
      expect(refused).not.toMatch(/200 OK/);
      expect(refused).toMatch(/40[13] /);
    }, 40_000);

    const LINPHONE_MAC = '0a0b0c0d0e02';
    const REGISTERED = /to \[LinphoneRegistrationOk\]/;
    const NOT_REGISTERED = /to \[LinphoneRegistrationFailed\]|LinphoneConfiguringFailed/;

    /** linphonec whose only configuration is `[misc] config-uri`: its output once registered (or given up). */
    async function linphone(configUri: string): Promise<string> {
      const home = tmp();
      // linphone stops starting up (before remote provisioning) without its data directory.
      mkdirSync(join(home, '.local', 'share', 'linphone'), { recursive: true });
      const rc = join(home, 'linphonerc');
      writeFileSync(
        rc,
        [
          '[misc]',
          `config-uri=${configUri}`,
          '[sip]',
          `sip_port=${await freeUdpPort()}`,
          'sip_tcp_port=0',
          '[video]',
          'enabled=0',
          '',
        ].join('\n'),
      );
      return runClient('linphonec', ['-c', rc, '-d', '6'], {
        cwd: home,
        env: { ...process.env, HOME: home },
        seconds: 15,
        done: new RegExp(`${REGISTERED.source}|${NOT_REGISTERED.source}`, 'i'),
        stdin: true,
      });
    }

    let linphoneToken = '';

    it('linphone fetches its configuration from the token URL and registers', async () => {
      expect((await app.get(`/user/add_local?username=bob&domain=${D}&displayname=Bob`)).status).toBe(200);
      expect((await app.get(`/phone/set?mac=${LINPHONE_MAC}&vendor=linphone`)).status).toBe(200);
      expect((await app.get(`/phone/add?mac=${LINPHONE_MAC}&user=bob@${D}`)).status).toBe(200);
      linphoneToken = ((await app.get(`/phone/secret?mac=${LINPHONE_MAC}`)).body as { token: string }).token;
      const out = await linphone(`${app.baseUrl}/prov/t/${linphoneToken}/${LINPHONE_MAC}/linphone.xml`);
      expect(out).toMatch(REGISTERED);
    }, 30_000);

    it('after user/change_pw linphone re-fetches its configuration and registers again', async () => {
      const before = await fetch(`${app.baseUrl}/prov/t/${linphoneToken}/${LINPHONE_MAC}/linphone.xml`).then((r) => r.text());
      expect((await app.get(`/user/change_pw?user=bob@${D}`)).status).toBe(200);
      const out = await linphone(`${app.baseUrl}/prov/t/${linphoneToken}/${LINPHONE_MAC}/linphone.xml`);
      const password = /name="passwd" overwrite="true">([^<]+)</.exec(before)![1];
      expect(out).not.toContain(password); // it got the new configuration, not the old one
      expect(out).toMatch(REGISTERED);
    }, 30_000);

    it('linphone with a wrong token gets no configuration and does not register', async () => {
      const out = await linphone(`${app.baseUrl}/prov/t/${linphoneToken}x/${LINPHONE_MAC}/linphone.xml`);
      expect(out).not.toMatch(REGISTERED);
    }, 30_000);
  });
}

if (available && mysqlSkipped()) {
  describe('provisioning interop [mysql]', () => {
    it.skip('SKIPPED: set TEST_DATABASE_URL to run the interop suite on MariaDB', () => undefined);
  });
}
