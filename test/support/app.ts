import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, CreateAppOptions } from '../../src/app.factory';

export interface Reply<T = Record<string, any>> {
  status: number;
  body: T;
  headers: Headers;
}

/** The admin key every test app accepts (BOOTSTRAP_API_KEY), unless a test sets its own. */
export const TEST_ADMIN_KEY = 'test-bootstrap-key-0123456789abcdef';

export interface GetOptions {
  /** The API key to send as X-API-Key; null sends none. Default: the test admin key. */
  key?: string | null;
  headers?: Record<string, string>;
}

export interface TestApp {
  baseUrl: string;
  /** GET a path (with its query string) with the admin key, and parse the JSON answer. */
  get<T = Record<string, any>>(path: string, options?: GetOptions): Promise<Reply<T>>;
  close(): Promise<void>;
}

/**
 * Starts the real application, listening on a free loopback port, with the given
 * environment (DATABASE_URL and friends). Tests talk to it over HTTP only.
 */
export async function startApp(env: Record<string, string>, options: CreateAppOptions = {}): Promise<TestApp> {
  const saved = { ...process.env };
  Object.assign(
    process.env,
    { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'fatal', BOOTSTRAP_API_KEY: TEST_ADMIN_KEY, RATE_LIMIT_MAX: '0' },
    env,
  );
  let app: NestFastifyApplication;
  try {
    app = await createApp(options);
    await app.listen(0, '127.0.0.1');
  } finally {
    process.env = saved;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    get: async <T>(path: string, options: GetOptions = {}) => {
      const key = options.key === undefined ? TEST_ADMIN_KEY : options.key;
      const res = await fetch(baseUrl + path, { headers: { ...(key ? { 'x-api-key': key } : {}), ...options.headers } });
      const text = await res.text();
      let body: T;
      try {
        body = JSON.parse(text) as T;
      } catch {
        throw new Error(`GET ${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
      }
      return { status: res.status, body, headers: res.headers };
    },
    close: () => app.close(),
  };
}
