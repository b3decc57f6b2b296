import { IsEmail, isEmail, IsOptional, MaxLength, maxLength, ValidateIf } from 'class-validator';
import { parse } from 'fast-querystring';
import { NumberQueryDto } from '../../numbers/dto/number-queries.dto';
import { GetPhoneQueryDto } from '../../phones/dto/phone-queries.dto';
import { AddLocalUserQueryDto, AddRemoteUserQueryDto, GetUserQueryDto } from '../../users/dto/user-queries.dto';
import { InvalidRequestError } from '../envelope';
import { createValidationPipe } from '../validation';
import { fastQueryOf, registerFastQuery } from './fast-query';
import { SIP_USERNAME_RULE } from './sip.validators';
import { IsE164, LIMIT_RULE } from './value.validators';

/**
 * The fast path must answer exactly as class-transformer + class-validator do through the
 * same pipe: the same DTO (class, keys in order, values) for a good query, the same cause and
 * detail for a bad one. Both are run on curated and on thousands of generated queries, parsed
 * by Fastify's own query-string parser.
 */
const fast = createValidationPipe();
const slow = createValidationPipe({ fastPaths: false });

type Outcome = { ok: { proto: unknown; keys: string[]; values: unknown[] } } | { invalid: { cause: string; detail: string } };

async function outcome(pipe: typeof fast, dto: new () => object, query: Record<string, unknown>): Promise<Outcome> {
  try {
    // Each pipe gets its own copy: the pipes may change the query they are given.
    const copy = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(query)) copy[k] = Array.isArray(query[k]) ? [...(query[k] as unknown[])] : query[k];
    const out = (await pipe.transform(copy, { type: 'query', metatype: dto, data: undefined })) as Record<string, unknown>;
    const keys = Object.keys(out);
    return { ok: { proto: Object.getPrototypeOf(out), keys, values: keys.map((k) => out[k]) } };
  } catch (err) {
    if (!(err instanceof InvalidRequestError)) throw err;
    return { invalid: { cause: err.param, detail: err.detail } };
  }
}

async function same(dto: new () => object, raw: string): Promise<Outcome> {
  const query = parse(raw) as Record<string, unknown>;
  const a = await outcome(fast, dto, query);
  const b = await outcome(slow, dto, query);
  expect({ raw, outcome: a }).toEqual({ raw, outcome: b });
  return a;
}

/** A small deterministic generator (the same cases every run). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALUES = [
  '',
  ' ',
  'alice',
  'Alice',
  'al%20ice',
  'alice%40sip.example.com',
  'alice@sip.example.com',
  'Alice@SIP.Example.COM',
  'alice@@sip.example.com',
  '@sip.example.com',
  'alice@',
  'alice@[::1]',
  'alice@[1.2.3]',
  'alice@-bad-.com',
  'a'.repeat(64),
  'a'.repeat(65),
  `${'a'.repeat(64)}@example.com`,
  `alice@${'d'.repeat(64)}`,
  `alice@${'d'.repeat(65)}`,
  'sip.example.com',
  'SIP.EXAMPLE.COM',
  'sip..example.com',
  '[::1]',
  '10.0.0.1',
  'caf%C3%A9',
  '%00',
  'a%0Ab',
  'x%25y',
  "it's(ok)!~*",
  '%2B4761123456',
  '+4761123456',
  '%204761123456',
  '4761123456',
  '%2B0761123456',
  '%2B1234567890123456',
  '%2B1',
  '%2B476112345a',
  'f00ba2ba5c00',
  'F0:0B:A2:BA:5C:00',
  'f0-0b-a2-ba-5c-00',
  'f0:0b-a2:ba:5c:00',
  'f00ba2ba5c0',
  'f00ba2ba5c00a',
  'g00ba2ba5c00',
  '0',
  '1',
  '10',
  '01',
  '-1',
  '1.5',
  '999999999',
  '1000000000',
  '1e3',
  'true',
  'null',
  'undefined',
  'a'.repeat(128),
  'a'.repeat(129),
  'a'.repeat(255),
  'a'.repeat(256),
  `${'a'.repeat(60)}%40${'b'.repeat(40)}.com`,
  // a well-formed e-mail address over 128 characters: which of its two constraints speaks first
  `${'a'.repeat(60)}%40${'b'.repeat(40)}.${'c'.repeat(40)}.com`,
  'Alice%20Liddell',
  '(.*)',
  'tab%09ed',
  '%7F',
];
const USER_KEYS = ['username', 'domain', 'user', 'address'];
const PHONE_KEYS = ['mac', 'limit', 'username', 'domain', 'user'];
const NUMBER_KEYS = ['number'];
const ADD_LOCAL_KEYS = ['username', 'domain', 'user', 'displayname', 'email', 'dialplan', 'linetext'];
const STRANGE_KEYS = [
  'foo',
  'Mac',
  'USER',
  'user%20',
  '1',
  '2',
  'limit2',
  '',
  'password',
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
];

const enc = (s: string) => s; // the values above are written as they appear in a URL

function generated(keys: string[], seed: number, count: number): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const pairs: string[] = [];
    const n = Math.floor(rnd() * 4);
    for (let j = 0; j <= n; j++) {
      const key = rnd() < 0.85 ? pick(keys) : pick(STRANGE_KEYS);
      const r = rnd();
      // a bare name, a repeated parameter, or name=value
      if (r < 0.04) pairs.push(key);
      else if (r < 0.12) pairs.push(`${key}=${enc(pick(VALUES))}`, `${key}=${enc(pick(VALUES))}`);
      else pairs.push(`${key}=${enc(pick(VALUES))}`);
    }
    out.push(pairs.join('&'));
  }
  return out;
}

describe('fast query path (user/get, phone/get, numbers/inpool, user/add_local)', () => {
  it('is registered for the four hot DTOs only', () => {
    expect(fastQueryOf(GetUserQueryDto)).toBeDefined();
    expect(fastQueryOf(GetPhoneQueryDto)).toBeDefined();
    expect(fastQueryOf(NumberQueryDto)).toBeDefined();
    expect(fastQueryOf(AddLocalUserQueryDto)).toBeDefined();
    // A subclass has decorators of its own: it does not inherit the fast path.
    expect(fastQueryOf(AddRemoteUserQueryDto)).toBeUndefined();
    expect(fastQueryOf(Object)).toBeUndefined();
    expect(fastQueryOf(undefined)).toBeUndefined();
  });

  it.each([
    [
      'user/get',
      GetUserQueryDto,
      [
        '',
        'user=alice@Sip.Example.com',
        'username=alice&domain=EX.com',
        'address=a@b',
        'user=a@b&user=c@d',
        'foo=1&user=x',
        'user=x&foo=1&foo=2',
        'user=x&1=a',
        'username=bad%20name&domain=-x',
        'domain=-x&username=bad%20name',
        'address=x&user=y',
        'user=a@b&address=bad',
      ],
    ],
    [
      'phone/get',
      GetPhoneQueryDto,
      [
        '',
        'mac=F0:0B:A2:BA:5C:00',
        'mac=bad&limit=0',
        'limit=0&mac=bad',
        'limit=5&user=a@b',
        'user=bad&limit=x',
        'mac=f00ba2ba5c00&mac=f00ba2ba5c00',
        'limit=1&limit=2',
        'Mac=x',
        'mac=f00ba2ba5c00&username=u&domain=D',
      ],
    ],
    [
      'numbers/inpool',
      NumberQueryDto,
      [
        '',
        'number=%2B4761123456',
        'number=%204761123456',
        'number=4761',
        'number=',
        'number',
        'number=%2B1&number=%2B2',
        'foo=bar',
        'foo=bar&number=x',
        'Number=%2B1',
      ],
    ],
    [
      'user/add_local',
      AddLocalUserQueryDto,
      [
        'user=alice@sip.example.com',
        'user=a@b&email=',
        'user=a@b&email=alice%40example.com&displayname=Alice&dialplan=(.*)&linetext=A',
        'user=a@b&email=not-an-address',
        `user=a@b&email=${'a'.repeat(60)}%40${'b'.repeat(40)}.${'c'.repeat(40)}.com`,
        `user=a@b&email=${'a'.repeat(200)}`,
        'user=a@b&email=x&email=y',
        'email=bad&user=bad',
        'user=a@b&displayname=',
        `user=a@b&displayname=${'a'.repeat(129)}`,
        'user=a@b&linetext=tab%09ed',
        'user=a@b&password=x',
        'username=alice&domain=EX.com&displayname=a&displayname=b',
      ],
    ],
  ] as const)('%s: curated queries', async (_node, dto, queries) => {
    for (const q of queries) await same(dto, q);
  });

  it.each([
    ['user/get', GetUserQueryDto, USER_KEYS, 1],
    ['phone/get', GetPhoneQueryDto, PHONE_KEYS, 2],
    ['numbers/inpool', NumberQueryDto, NUMBER_KEYS, 3],
    ['user/add_local', AddLocalUserQueryDto, ADD_LOCAL_KEYS, 4],
  ] as const)('%s: 4,000 generated queries answer alike', async (_node, dto, keys, seed) => {
    let invalid = 0;
    for (const q of generated([...keys], seed, 4000)) if ('invalid' in (await same(dto, q))) invalid++;
    // Both kinds of outcome are exercised.
    expect(invalid).toBeGreaterThan(1000);
    expect(invalid).toBeLessThan(3990);
  });

  it('refuses to register a DTO its description does not match', () => {
    class Wrong {
      @IsOptional()
      @IsE164()
      number?: string;
    }
    // Optional, not required; a rule of another name; a property that is not there.
    expect(() => registerFastQuery(Wrong, { number: { rule: LIMIT_RULE } })).toThrow(/isE164, not isLimit/);
    expect(() => registerFastQuery(Wrong, { number: { rule: LIMIT_RULE, required: 'x' } })).toThrow(/IsDefined/);
    expect(() => registerFastQuery(Wrong, { other: { rule: SIP_USERNAME_RULE } })).toThrow(/properties are number/);
    expect(fastQueryOf(Wrong)).toBeUndefined();
  });

  it('refuses a description whose constraints, their order or limits, or @ValidateIf differ', () => {
    const EMAIL = { name: 'isEmail', validate: (v: unknown) => isEmail(v), message: () => 'bad' };
    const LONG = (max: number) => ({ name: 'maxLength', validate: (v: unknown) => maxLength(v, max), message: () => 'long' });
    class Mail {
      @IsOptional()
      @ValidateIf((o: { mail?: unknown }) => o.mail !== '')
      @IsEmail({}, { message: 'bad' })
      @MaxLength(128, { message: 'long' })
      mail?: string;
    }
    expect(() => registerFastQuery(Mail, { mail: { rule: EMAIL, also: [LONG(128)], emptyAllowed: true } })).toThrow(
      /maxLength, not isEmail/,
    );
    expect(() => registerFastQuery(Mail, { mail: { rule: LONG(64), also: [EMAIL], emptyAllowed: true } })).toThrow(/maxLength judges/);
    expect(() => registerFastQuery(Mail, { mail: { rule: LONG(128), also: [EMAIL] } })).toThrow(/@ValidateIf/);
    expect(() => registerFastQuery(Mail, { mail: { rule: LONG(128), emptyAllowed: true } })).toThrow(/exactly one constraint/);
    expect(() =>
      registerFastQuery(Mail, { mail: { rule: LONG(128), also: [{ ...EMAIL, message: () => 'other' }], emptyAllowed: true } }),
    ).toThrow(/isEmail's message differs/);
    expect(fastQueryOf(Mail)).toBeUndefined();
    registerFastQuery(Mail, { mail: { rule: LONG(128), also: [EMAIL], emptyAllowed: true } });
    expect(fastQueryOf(Mail)?.({ mail: '' })).toEqual(Object.assign(new Mail(), { mail: '' }));
  });
});
