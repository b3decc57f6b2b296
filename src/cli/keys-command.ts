// `keys create|list|revoke`: kamprov's key management on the database DATABASE_URL names
// (running the migrations first, like the server). Used by keys.ts (`npm run keys`) and by
// `kamprov keys ...`: keys must be creatable before any key exists, so this goes straight
// to the service, not over the API.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { ApiKeysService, keyNameProblem } from '../auth/api-keys.service';
import { AuthError } from '../auth/auth.errors';
import { ROLES, Role } from '../common/roles';
import { InvalidEnvironmentError } from '../config/env.validation';

export const KEYS_USAGE = `usage:
  keys create --name NAME --role read|provision|admin   create a key and print it (once)
  keys list [--json]                                     list keys (never the keys themselves)
  keys revoke --name NAME                                revoke a key`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs a keys command; resolves to the process exit code. */
export async function runKeys(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || !['create', 'list', 'revoke'].includes(command)) {
    process.stderr.write(`${KEYS_USAGE}\n`);
    return 2;
  }
  const name = option(args, 'name');
  const role = option(args, 'role');
  if ((command === 'create' || command === 'revoke') && (!name || !/^[A-Za-z0-9._-]{1,64}$/.test(name))) {
    process.stderr.write(`--name is required: 1 to 64 of A-Z a-z 0-9 . _ -\n${KEYS_USAGE}\n`);
    return 2;
  }
  const problem = command === 'create' ? keyNameProblem(name!) : undefined;
  if (problem) {
    process.stderr.write(`invalid/name: ${problem}\n`);
    return 2;
  }
  if (command === 'create' && !ROLES.includes(role as Role)) {
    process.stderr.write(`--role must be one of ${ROLES.join(', ')}\n${KEYS_USAGE}\n`);
    return 2;
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(), { logger: ['error'], abortOnError: false });
  try {
    const keys = app.get(ApiKeysService);
    if (command === 'create') {
      const created = await keys.create(name!, role as Role);
      if (args.includes('--json')) process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      else process.stdout.write(`created key ${created.name} (${created.role}); it is shown only this once:\n${created.key}\n`);
    } else if (command === 'revoke') {
      await keys.revoke(name!);
      process.stdout.write(args.includes('--json') ? `${JSON.stringify({ revoked: name })}\n` : `revoked key ${name}\n`);
    } else {
      const list = await keys.list();
      if (args.includes('--json')) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else {
        process.stdout.write('NAME                 ROLE       CREATED                   LAST USED                 REVOKED\n');
        for (const k of list) {
          process.stdout.write(
            `${k.name.padEnd(20)} ${k.role.padEnd(10)} ${k.created.padEnd(25)} ${(k.lastUsed ?? '-').padEnd(25)} ${k.revoked ?? '-'}\n`,
          );
        }
      }
    }
    return 0;
  } finally {
    await app.close();
  }
}

/** The message for a failed keys command (never a stack trace). */
export function keysFailure(err: unknown): string {
  if (err instanceof AuthError || err instanceof InvalidEnvironmentError) return `keys: ${err.message}`;
  return `keys: failed: ${err instanceof Error ? err.message : String(err)}`;
}
