import { TEST_ADMIN_KEY } from '../../support/app';

export { freeTcpPort, KamprovProcess, ROOT } from '../../support/process';
export { sleep, waitFor } from '../../support/wait';

export interface Answer {
  status: number;
  body: Record<string, any>;
  ms: number;
}

/** A GET with the test admin key and a client-side deadline; the body must be JSON. */
export async function call(baseUrl: string, path: string, timeoutMs = 30_000, key: string | null = TEST_ADMIN_KEY): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(baseUrl + path, {
    headers: key ? { 'x-api-key': key } : {},
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body: Record<string, any>;
  try {
    body = JSON.parse(text) as Record<string, any>;
  } catch {
    throw new Error(`GET ${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body, ms: Date.now() - started };
}
