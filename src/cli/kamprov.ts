#!/usr/bin/env node
// kamprov's operator command line, in the spirit of kamcli: `kamprov <group> <command> ...`
// over the HTTP API with the generated client (sdk/kamprov.d.ts + openapi-fetch); `keys`
// works on the database directly (keys must exist before the API can be used).
import createClient from 'openapi-fetch';
import { parseArgs } from 'node:util';
import type { paths } from '../../sdk/kamprov';
import { COMMANDS, CommandSpec, usage } from './commands';
import { escapeControls, render } from './render';

type Envelope = { response?: string; cause?: string; detail?: string } & Record<string, unknown>;

/** Exit codes: 0 ok, 1 failed (refused), 2 invalid (bad request or usage), 3 error (kamprov or the network). */
const EXIT = { ok: 0, failed: 1, invalid: 2, error: 3 } as const;

const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The group and command: the first two words that are neither an option nor a global option's value. */
function words(argv: string[]): { group?: string; command?: string; at: number } {
  const found: number[] = [];
  for (let i = 0; i < argv.length && found.length < 2; i++) {
    if (argv[i] === '--url' || argv[i] === '--key') i++;
    else if (!argv[i].startsWith('-')) found.push(i);
  }
  return { group: argv[found[0]], command: argv[found[1]], at: found[0] ?? -1 };
}

export async function main(argv: string[]): Promise<number> {
  const { group, command, at } = words(argv);
  if (group === 'keys') {
    const rest = argv.filter((_a, i) => i !== at);
    const { keysFailure, runKeys } = await import('./keys-command');
    try {
      return await runKeys(rest);
    } catch (err) {
      process.stderr.write(`${keysFailure(err)}\n`);
      return EXIT.failed;
    }
  }
  const spec: CommandSpec | undefined = group && command ? COMMANDS[group]?.[command] : undefined;
  if (!spec) {
    const asked = argv.includes('--help') || argv.includes('-h') || argv.length === 0;
    (asked ? process.stdout : process.stderr).write(usage(group));
    return asked ? 0 : EXIT.invalid;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...spec.options }, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`kamprov: ${(e as Error).message}\n${usage(group)}`);
    return EXIT.invalid;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals.slice(2);
  if (values.help) {
    process.stdout.write(usage(group));
    return 0;
  }
  if (positionals.length !== spec.args.length) {
    process.stderr.write(`kamprov: ${group} ${command} takes ${spec.args.join(' ') || 'no arguments'}\n${usage(group)}`);
    return EXIT.invalid;
  }
  const url = (values.url as string | undefined) ?? process.env.KAMPROV_URL ?? 'http://127.0.0.1:3000';
  const key = (values.key as string | undefined) ?? process.env.KAMPROV_API_KEY;
  if (!key) {
    process.stderr.write('kamprov: an API key is needed: --key KEY or KAMPROV_API_KEY (create one with: kamprov keys create)\n');
    return EXIT.invalid;
  }
  let query: Record<string, unknown>;
  try {
    query = spec.query(positionals, values);
  } catch (e) {
    process.stderr.write(`kamprov: ${(e as Error).message}\n`);
    return EXIT.invalid;
  }
  const client = createClient<paths>({ baseUrl: url.replace(/\/+$/, ''), headers: { 'X-API-Key': key } });
  let body: Envelope;
  try {
    // The path and the query's names are checked against the generated types in commands.ts.
    const res: { data?: unknown; error?: unknown } = await client.GET(spec.path as '/user/list', { params: { query } } as never);
    body = (res.data ?? res.error) as Envelope;
  } catch (e) {
    process.stderr.write(`kamprov: cannot reach ${url}: ${(e as Error).message}\n`);
    return EXIT.error;
  }
  const kind = (body?.response ?? 'error') as keyof typeof EXIT;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else if (kind === 'ok') {
    process.stdout.write(render(body));
  } else {
    process.stderr.write(escapeControls(`kamprov: ${kind}/${body?.cause ?? '?'}: ${body?.detail ?? 'no detail'}`) + '\n');
  }
  return EXIT[kind] ?? EXIT.error;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`kamprov: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(EXIT.error);
    },
  );
}
