import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/config.types';
import { type LogScope, ScopedLogger } from '../logging/scoped-logger';

/** How long kamprov waits for Kamailio: a reload is a courtesy, never worth a hung request. */
export const KAMAILIO_RPC_TIMEOUT_MS = 2000;

export interface RpcOutcome {
  /** Kamailio answered with a `result` and no `error`. */
  confirmed: boolean;
  /** Why not, in words (absent when confirmed). */
  detail?: string;
}

/**
 * Kamailio's JSON-RPC 2.0 over HTTP (the jsonrpcs module behind xhttp), at
 * KAMAILIO_RPC_URL. Calls never throw: an unset URL, a refused connection, a timeout,
 * an HTTP error or a JSON-RPC error all come back as `confirmed: false` with a detail.
 */
@Injectable()
export class KamailioRpcClient {
  private readonly logger = new ScopedLogger('kamailio-rpc');
  private readonly url: string | undefined;
  private nextId = 1;

  constructor(config: ConfigService<AllConfig, true>) {
    this.url = config.get('app', { infer: true }).kamailioRpcUrl;
  }

  /** Asks Kamailio to reload its domain table (the domain module caches it). */
  reloadDomains(scope?: LogScope): Promise<RpcOutcome> {
    return this.call('domain.reload', scope);
  }

  /** An unconfirmed call is logged (warn) through `scope`, the request's logger when given. */
  private async call(method: string, scope?: LogScope): Promise<RpcOutcome> {
    if (!this.url) {
      return { confirmed: false, detail: `KAMAILIO_RPC_URL is not set: run "kamcmd ${method}" on the Kamailio host` };
    }
    const id = this.nextId++;
    const outcome = await this.post(this.url, { jsonrpc: '2.0', method, id });
    if (!outcome.confirmed) this.logger.warn(`${method}: ${outcome.detail}`, scope);
    return outcome;
  }

  private post(url: string, request: { jsonrpc: string; method: string; id: number }): Promise<RpcOutcome> {
    const failed = (why: string): RpcOutcome => ({
      confirmed: false,
      detail: `the change is saved, but Kamailio did not confirm ${request.method}: ${why}`,
    });
    const target = rpcTarget(url);
    if (!target) return Promise.resolve(failed('KAMAILIO_RPC_URL is not an http(s) URL'));
    const body = JSON.stringify(request);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (target.auth) headers.authorization = `Basic ${Buffer.from(target.auth).toString('base64')}`;
    // node:http(s), not fetch: fetch refuses the WHATWG "bad ports" (5060, 5061, ...) where
    // Kamailio often serves JSON-RPC, and refuses credentials in the URL.
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<RpcOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: RpcOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(outcome);
      };
      const timer = setTimeout(() => settle(failed(`no answer within ${KAMAILIO_RPC_TIMEOUT_MS} ms`)), KAMAILIO_RPC_TIMEOUT_MS);
      const req = send(target.url, { method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) return settle(failed(`HTTP ${res.statusCode} with an answer over ${MAX_ANSWER_BYTES} bytes`));
          chunks.push(c);
        });
        res.on('end', () => settle(judge(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), failed)));
        res.on('error', () => settle(failed(`HTTP ${res.statusCode} cut off`)));
      });
      req.on('error', (err: NodeJS.ErrnoException) => settle(failed(`unreachable (${err.code ?? 'connection failed'})`)));
      req.end(body);
    });
  }
}

/** At most this much of Kamailio's answer is read (a JSON-RPC answer to a reload is tiny). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** The URL without its credentials, and the credentials (user:password, decoded) apart. */
export function rpcTarget(raw: string): { url: URL; auth: string | undefined } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  let auth: string | undefined;
  if (url.username || url.password) {
    auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    url.username = '';
    url.password = '';
  }
  return { url, auth };
}

function judge(status: number, text: string, failed: (why: string) => RpcOutcome): RpcOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return failed(`HTTP ${status} without a JSON-RPC answer`);
  }
  if (typeof body !== 'object' || body === null) return failed(`HTTP ${status} without a JSON-RPC answer`);
  const answer = body as { error?: { code?: unknown; message?: unknown }; result?: unknown };
  if (answer.error !== undefined && answer.error !== null) {
    const message = typeof answer.error.message === 'string' ? answer.error.message : 'unknown error';
    const code = typeof answer.error.code === 'number' ? ` ${answer.error.code}` : '';
    return failed(`error${code}: ${message}`);
  }
  if (status < 200 || status >= 300) return failed(`HTTP ${status}`);
  if (!('result' in answer)) return failed('the answer has no result');
  return { confirmed: true };
}
