// The commands of `kamprov`, each one node of the API. `node()` ties a command to its path
// and checks the query it builds against the generated types: a wrong parameter name or
// path is a compile error.
import type { paths } from '../../sdk/kamprov';

type Path = keyof paths;
type RawQuery<P extends Path> = NonNullable<paths[P]['get']['parameters']['query']>;
/** A node's query parameters as the generated types say (an empty object for none). */
type Query<P extends Path> = [RawQuery<P>] extends [never] ? Record<string, never> : RawQuery<P>;
type OptionType = { type: 'string' } | { type: 'boolean' };
type Values = Record<string, string | boolean | undefined>;

export interface CommandSpec {
  path: Path;
  /** Positional argument names, for usage and arity. */
  args: string[];
  options: Record<string, OptionType>;
  summary: string;
  query(positionals: string[], values: Values): Record<string, unknown>;
}

function node<P extends Path>(
  path: P,
  args: string[],
  options: string[],
  summary: string,
  build: (pos: string[], v: Values) => Query<P>,
  booleans: string[] = [],
): CommandSpec {
  return {
    path,
    args,
    summary,
    options: Object.fromEntries<OptionType>([
      ...options.map((o): [string, OptionType] => [o, { type: 'string' }]),
      ...booleans.map((o): [string, OptionType] => [o, { type: 'boolean' }]),
    ]),
    query: (pos, v) => Object.fromEntries(Object.entries(build(pos, v)).filter(([, x]) => x !== undefined)),
  };
}

const str = (v: Values, name: string): string | undefined => v[name] as string | undefined;
const int = (v: Values, name: string): number | undefined => {
  const s = str(v, name);
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) throw new Error(`--${name} must be a positive integer`);
  return Number(s);
};
const flag = (v: Values, name: string): boolean | undefined => (v[name] ? true : undefined);

/** `sales@sip.example.com` -> alias_username, alias_domain (split at the last @). */
function aliasParts(address: string): { alias_username: string; alias_domain: string } {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) throw new Error(`the alias must be user@domain: ${address}`);
  return { alias_username: address.slice(0, at), alias_domain: address.slice(at + 1) };
}

const USER_FIELDS = ['displayname', 'email', 'dialplan', 'linetext'];
const REMOTE_FIELDS = ['registrar', 'r-port', 'proxy', 'p-port', 'authid'];
const userFields = (v: Values) => ({
  displayname: str(v, 'displayname'),
  email: str(v, 'email'),
  dialplan: str(v, 'dialplan'),
  linetext: str(v, 'linetext'),
});
const remoteFields = (v: Values) => ({
  registrar: str(v, 'registrar'),
  r_port: int(v, 'r-port'),
  proxy: str(v, 'proxy'),
  p_port: int(v, 'p-port'),
  authid: str(v, 'authid'),
});

export const COMMANDS: Record<string, Record<string, CommandSpec>> = {
  user: {
    list: node('/user/list', [], ['search', 'limit'], 'list users (glob search)', (_p, v) => ({
      search: str(v, 'search'),
      limit: int(v, 'limit'),
    })),
    get: node('/user/get', ['ADDRESS'], [], 'show a user', ([a]) => ({ user: a })),
    'add-local': node(
      '/user/add_local',
      ['ADDRESS'],
      USER_FIELDS,
      'create a local (Kamailio) user with a generated password',
      ([a], v) => ({
        user: a,
        ...userFields(v),
      }),
    ),
    'add-remote': node(
      '/user/add_remote',
      ['ADDRESS'],
      ['password', ...USER_FIELDS, ...REMOTE_FIELDS],
      'record a user at another registrar (--password, --registrar required)',
      ([a], v) => ({
        user: a,
        ...userFields(v),
        ...remoteFields(v),
        password: str(v, 'password') ?? '',
        registrar: str(v, 'registrar') ?? '',
      }),
    ),
    update: node('/user/update', ['ADDRESS'], [...USER_FIELDS, ...REMOTE_FIELDS], 'change the given fields', ([a], v) => ({
      user: a,
      ...userFields(v),
      ...remoteFields(v),
    })),
    'change-pw': node('/user/change_pw', ['ADDRESS'], ['password'], 'set a password (generated without --password)', ([a], v) => ({
      user: a,
      password: str(v, 'password'),
    })),
    remove: node('/user/remove', ['ADDRESS'], [], 'remove a user', ([a]) => ({ user: a })),
    genpw: node('/user/genpw', [], [], 'a fresh password', () => ({})),
  },
  phone: {
    list: node('/phone/list', [], ['search', 'limit'], 'list MACs', (_p, v) => ({ search: str(v, 'search'), limit: int(v, 'limit') })),
    get: node('/phone/get', ['MAC|ADDRESS'], ['limit'], "a phone's users (by MAC) or a user's phones (by address)", ([x], v) =>
      x.includes('@') ? { user: x, limit: int(v, 'limit') } : { mac: x, limit: int(v, 'limit') },
    ),
    add: node('/phone/add', ['MAC', 'ADDRESS'], [], 'let a phone carry a user', ([mac, user]) => ({ mac, user })),
    remove: node('/phone/remove', ['MAC', 'ADDRESS'], [], 'remove a user from a phone', ([mac, user]) => ({ mac, user })),
  },
  numbers: {
    list: node(
      '/numbers/list',
      [],
      ['search', 'limit'],
      'the pool (--random: a random pick)',
      (_p, v) => ({
        search: str(v, 'search'),
        limit: int(v, 'limit'),
        random: flag(v, 'random'),
      }),
      ['random'],
    ),
    add: node('/numbers/add', ['NUMBER'], [], 'add an E.164 number to the pool', ([number]) => ({ number })),
    'add-range': node('/numbers/add_range', ['START', 'END'], [], 'add START..END (all or nothing)', ([start, end]) => ({ start, end })),
    remove: node('/numbers/remove', ['NUMBER'], [], 'pull a number from the pool', ([number]) => ({ number })),
    inpool: node('/numbers/inpool', ['NUMBER'], [], 'whether a number is in the pool', ([number]) => ({ number })),
  },
  alias: {
    list: node(
      '/alias/list',
      [],
      ['destination', 'alias', 'limit'],
      'aliases by --destination (--e164) or --alias',
      (_p, v) => ({
        destination: str(v, 'destination'),
        alias: str(v, 'alias'),
        e164: flag(v, 'e164'),
        limit: int(v, 'limit'),
      }),
      ['e164'],
    ),
    add: node('/alias/add', ['ALIAS', 'DESTINATION'], [], 'add ALIAS (user@domain) leading to DESTINATION', ([alias, destination]) => ({
      ...aliasParts(alias),
      destination,
    })),
    remove: node('/alias/remove', ['ALIAS'], [], 'remove an alias', ([alias]) => aliasParts(alias)),
  },
  domain: {
    list: node('/domain/list', [], ['limit'], "Kamailio's local domains", (_p, v) => ({ limit: int(v, 'limit') })),
    add: node('/domain/add', ['DOMAIN'], [], 'add a local domain (and domain.reload)', ([domain]) => ({ domain })),
    remove: node('/domain/remove', ['DOMAIN'], [], 'remove a local domain', ([domain]) => ({ domain })),
  },
  audit: {
    list: node('/audit/list', [], ['target', 'key', 'limit'], 'the audit trail, newest first', (_p, v) => ({
      target: str(v, 'target'),
      key: str(v, 'key'),
      limit: int(v, 'limit'),
    })),
  },
};

export function usage(group?: string): string {
  const groups = group && COMMANDS[group] ? [group] : Object.keys(COMMANDS);
  const lines = [
    'usage: kamprov [--url URL] [--key KEY] [--json] <group> <command> [arguments] [--options]',
    '  URL and KEY default to KAMPROV_URL (else http://127.0.0.1:3000) and KAMPROV_API_KEY.',
    '  --json prints the answer envelope as JSON; exit codes: 0 ok, 1 failed, 2 invalid, 3 error.',
    '',
  ];
  for (const g of groups) {
    for (const [name, c] of Object.entries(COMMANDS[g])) {
      const opts = Object.entries(c.options).map(([o, t]) => (t.type === 'boolean' ? `[--${o}]` : `[--${o} X]`));
      lines.push(`  kamprov ${g} ${name} ${[...c.args, ...opts].join(' ')}`.trimEnd());
      lines.push(`      ${c.summary}`);
    }
  }
  if (!group || group === 'keys' || !COMMANDS[group]) {
    lines.push('  kamprov keys create --name NAME --role read|provision|admin   (on DATABASE_URL, no key needed)');
    lines.push('  kamprov keys list [--json]');
    lines.push('  kamprov keys revoke --name NAME');
  }
  return `${lines.join('\n')}\n`;
}
