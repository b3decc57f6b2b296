import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createApp } from './app.factory';
import type { AllConfig } from './config/config.types';
import { InvalidEnvironmentError } from './config/env.validation';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { port, host } = app.get(ConfigService<AllConfig, true>).get('app', { infer: true });
  await app.listen(port, host);
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
