// The SDK's generator, shared by `npm run sdk:generate` and the test that checks the
// committed SDK against the live document (test/ecosystem/sdk.e2e-spec.ts).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const SDK_DIR = join(__dirname, '..', 'sdk');
export const SDK_TYPES = join(SDK_DIR, 'kamprov.d.ts');
export const SDK_DOCUMENT = join(SDK_DIR, 'openapi.json');

/** The document as committed: key order as served, two-space JSON, final newline. */
export function renderDocument(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * openapi-typescript's types for the document: `paths`, `components`, `operations`.
 * openapi-typescript needs Node's require(esm) (a dependency is ESM only), which jest's module
 * system lacks: jest calls renderTypesInChild instead.
 */
export async function renderTypes(document: object): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: openapiTS, astToString, COMMENT_HEADER } = require('openapi-typescript') as typeof import('openapi-typescript');
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { silent: true });
  return (
    COMMENT_HEADER.replace(
      ' * Do not make direct changes to the file.',
      ' * Do not make direct changes to the file: run `npm run sdk:generate`.',
    ) + astToString(ast)
  );
}

/** renderTypes in a plain Node process (scripts/render-types.ts): document on stdin, types on stdout. */
export function renderTypesInChild(document: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'render-types.ts')], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, 'tsconfig.json') },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`render-types exited ${code}: ${err}`))));
    child.stdin.end(JSON.stringify(document));
  });
}
