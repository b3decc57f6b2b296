// Reads an OpenAPI document on stdin and writes openapi-typescript's types on stdout.
import { renderTypes } from './sdk';

const chunks: Buffer[] = [];
process.stdin.on('data', (c: Buffer) => chunks.push(c));
process.stdin.on('end', () => {
  renderTypes(JSON.parse(Buffer.concat(chunks).toString('utf8')) as object).then(
    (types) => process.stdout.write(types),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
});
