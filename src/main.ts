import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { DatabaseStartup } from './database/database-startup';
import { ApiKeysService } from './auth/api-keys.service';
import type { AllConfig } from './config/config.types';
import { InvalidEnvironmentError } from './config/env.validation';
import { printToStdout } from './logging/root-logger';

/**
 * How long a graceful shutdown may take before kamprov gives up and exits 1. In-flight
 * requests get this long to finish; a transaction cut off by the hard exit is rolled back
 * by the database (MySQL drops the session; SQLite discards the uncommitted WAL frames).
 */
const SHUTDOWN_TIMEOUT_MS = 20_000;

/**
 * SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish, close the
 * database pool (Nest's app.close() does all three, in that order), then exit 0.
 *
 * Nest's own shutdown hooks (enableShutdownHooks, in app.factory.ts) re-raise the signal
 * after closing, so the process ends "killed by SIGTERM" instead of exiting 0; they are
 * replaced here, where the process is ours (tests build the app without main.ts).
 */
function handleShutdown(app: NestFastifyApplication, logger: Logger): void {
  (app as unknown as { unsubscribeFromProcessSignals(): void }).unsubscribeFromProcessSignals();
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return; // a second signal while closing changes nothing
    closing = true;
    logger.log(`${signal}: closing (finishing requests in flight, at most ${SHUTDOWN_TIMEOUT_MS / 1000} s)`);
    const timer = setTimeout(() => {
      process.stderr.write(`kamprov: shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s; exiting\n`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    // The server stops listening at once, but it waits for open sockets: a client's
    // kept-alive socket goes idle once its answer is out, and is closed then.
    const server = app.getHttpServer();
    const reaper = setInterval(() => server.closeIdleConnections(), 50);
    reaper.unref();
    app
      .close()
      .then(() => {
        logger.log('closed');
        process.exit(0);
      })
      .catch((err: unknown) => {
        process.stderr.write(`kamprov: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      });
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, shutdown);
}

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const logger = new Logger('kamprov');
  handleShutdown(app, logger);
  const { port, host } = app.get(ConfigService<AllConfig, true>).get('app', { infer: true });
  const printInitialKey = (initialKey: string | undefined) => {
    if (!initialKey) return;
    // Printed once, on the first start only; kamprov stores just its hash.
    printToStdout(
      `\nkamprov: no API key existed, so an admin key was created. It is shown only this once:\n\n` +
        `    ${initialKey}\n\nUse it as X-API-Key; create others with: npm run keys -- create --name NAME --role ROLE\n\n`,
    );
  };
  const startup = app.get(DatabaseStartup);
  // Started without its database: the initial key is made once the database is up.
  const initialKey = startup.ready ? await app.get(ApiKeysService).ensureInitialKey() : undefined;
  await app.listen(port, host);
  printInitialKey(initialKey);
  if (!startup.ready) {
    void startup
      .whenReady()
      .then(() => app.get(ApiKeysService).ensureInitialKey())
      .then(printInitialKey)
      .catch((err: Error) => logger.error(`could not create the initial key: ${err.message}`));
  }
  logger.log(`listening on ${await app.getUrl()} (Swagger UI at /docs)`);
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
