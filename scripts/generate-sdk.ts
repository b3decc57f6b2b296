// `npm run sdk:generate`: writes sdk/openapi.json and sdk/kamprov.d.ts from kamprov's live
// /openapi.json. By default it starts the built app (dist/, built by `nest build` with the
// swagger plugin, as `npm run sdk:generate` does first) on a throw-away SQLite database;
// `--url http://host:port` reads a running kamprov instead.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDocument, renderTypes, SDK_DOCUMENT, SDK_TYPES } from './sdk';

interface BuiltApp {
  listen(port: number, host: string): Promise<unknown>;
  getHttpServer(): { address(): { port: number } | string | null };
  close(): Promise<void>;
}

async function fromBuiltApp(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'kamprov-sdk-'));
  Object.assign(process.env, {
    DATABASE_URL: `sqlite:${join(dir, 'sdk.sqlite')}`,
    LOG_LEVEL: 'fatal',
    BOOTSTRAP_API_KEY: 'sdk-generate-throwaway-key',
    API_PREFIX: '',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require(join(__dirname, '..', 'dist', 'app.factory')) as { createApp: () => Promise<BuiltApp> };
  const app = await factory.createApp();
  try {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return await fetchDocument(`http://127.0.0.1:${port}`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fetchDocument(baseUrl: string): Promise<object> {
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/openapi.json`);
  if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
  return (await res.json()) as object;
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--url');
  const document = i >= 0 ? await fetchDocument(process.argv[i + 1]) : await fromBuiltApp();
  writeFileSync(SDK_DOCUMENT, renderDocument(document));
  writeFileSync(SDK_TYPES, await renderTypes(document));
  process.stdout.write(`wrote ${SDK_DOCUMENT} and ${SDK_TYPES}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`sdk:generate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
