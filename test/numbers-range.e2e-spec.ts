import { tableDigests } from './reliability/support/digest';
import { onEveryDatabase } from './support/suite';

/**
 * numbers/add_range keeps to one lead-in (issue 14 item 12): every number of a range shares
 * the country calling code of start and end. Start and end of different lengths would span
 * other codes (+4799..+47100 held +48..., +1...), so they are `invalid`/`range`.
 */
onEveryDatabase('numbers: add_range keeps to one lead-in', (ctx) => {
  const get = (path: string) => ctx().app.get(path);

  it.each([
    ['%2B4799', '%2B47100'],
    ['%2B4799000000', '%2B47100000000'],
    ['%2B1999', '%2B12000'],
    ['%2B4761000000', '%2B476100000'],
  ])('refuses start=%s end=%s (different lengths) as invalid/range, adding nothing', async (start, end) => {
    const before = await tableDigests(ctx().db);
    const res = await get(`/numbers/add_range?start=${start}&end=${end}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ response: 'invalid', cause: 'range' });
    expect(res.body.detail).toMatch(/same number of digits/);
    expect(await tableDigests(ctx().db)).toEqual(before);
    expect((await get('/numbers/list')).body.numbers).toEqual([]);
  });

  it('refuses start and end of different calling codes', async () => {
    const res = await get('/numbers/add_range?start=%2B4799999990&end=%2B4800000009');
    expect(res.body).toMatchObject({ response: 'invalid', cause: 'range' });
  });

  it('adds a range of one length, every number sharing the lead-in', async () => {
    const res = await get('/numbers/add_range?start=%2B4799999990&end=%2B4799999999');
    expect(res.body).toMatchObject({ response: 'ok', added: 10 });
    const listed = (await get('/numbers/list')).body.numbers as string[];
    expect(listed).toHaveLength(10);
    for (const n of listed) expect(n).toMatch(/^\+479999999\d$/);
    const one = await get('/numbers/add_range?start=%2B1200555000&end=%2B1200555004');
    expect(one.body).toMatchObject({ response: 'ok', added: 5 });
  });
});
