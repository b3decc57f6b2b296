// kamprov's key management: `npm run keys -- create --name NAME --role ROLE`, `list`, `revoke --name NAME`.
// Works on the database DATABASE_URL names (running the migrations first, like the server).
// The same commands are `kamprov keys ...` (src/cli/kamprov.ts).
import { keysFailure, runKeys } from './keys-command';

runKeys(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${keysFailure(err)}\n`);
    process.exit(1);
  },
);
