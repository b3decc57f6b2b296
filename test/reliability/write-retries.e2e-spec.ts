import { addLocalDomain, onEveryDatabase } from '../support/suite';

/**
 * Issue 14 item 6, issue 16 "writes that retry": several identical alias/add racing
 * user/remove of their destination deadlock on MariaDB. The Transactor re-runs a unit of
 * work the database aborted (deadlock, lock wait, certification failure, busy), so every
 * loser gets its right answer (exists, nonexistant, inuse), never 5xx/dbfail.
 */
const D = 'retry.example.com';
const ROUNDS = 12;
const ALIASES = 4;

onEveryDatabase('reliability: writes that retry', (ctx) => {
  const get = (path: string) => ctx().app.get(path);

  beforeAll(async () => {
    await addLocalDomain(ctx().db, D);
  });

  it(`${ROUNDS} rounds of ${ALIASES} identical alias/add racing user/remove: no 5xx, right answers`, async () => {
    const names = Array.from({ length: ROUNDS }, (_, i) => `dest${i}`);
    for (const name of names) expect((await get(`/user/add_local?username=${name}&domain=${D}`)).status).toBe(200);
    const rounds = await Promise.all(
      names.map(async (name, i) => {
        const alias = () => get(`/alias/add?alias_username=a-${name}&alias_domain=${D}&destination=${name}@${D}`);
        const remove = () => get(`/user/remove?username=${name}&domain=${D}`);
        // The remove goes out first, last or in between, as the round says.
        const order = Array.from({ length: ALIASES + 1 }, (_, k) => (k === i % (ALIASES + 1) ? remove : alias));
        const answers = await Promise.all(order.map((call) => call()));
        return answers.map((r) => ({ status: r.status, response: r.body.response, cause: r.body.cause as string | undefined }));
      }),
    );
    const all = rounds.flat();
    expect(all.filter((a) => a.status >= 500)).toEqual([]);
    for (const a of all) {
      if (a.status === 200) continue;
      expect(['exists', 'nonexistant', 'inuse']).toContain(a.cause);
    }
  });
});
