import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createApp } from './app.factory';
import { ApiKeysService } from './auth/api-keys.service';
import type { AllConfig } from './config/config.types';
import { InvalidEnvironmentError } from './config/env.validation';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { port, host } = app.get(ConfigService<AllConfig, true>).get('app', { infer: true });
  const initialKey = await app.get(ApiKeysService).ensureInitialKey();
  await app.listen(port, host);
  if (initialKey) {
    // Printed once, on the first start only; kamprov stores just its hash.
    process.stdout.write(
      `\nkamprov: no API key existed, so an admin key was created. It is shown only this once:\n\n` +
        `    ${initialKey}\n\nUse it as X-API-Key; create others with: npm run keys -- create --name NAME --role ROLE\n\n`,
    );
  }
  new Logger('kamprov').log(`listening on ${await app.getUrl()} (Swagger UI at /docs)`);
}

bootstrap().catch((err: unknown) => {
  if (err instanceof InvalidEnvironmentError) {
    process.stderr.write(`kamprov: ${err.message}\n`);
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`kamprov: failed to start: ${e.message}\n`);
  }
  process.exit(1);
});
