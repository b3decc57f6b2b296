import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/config.types';

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
  private readonly logger = new Logger('kamailio-rpc');
  private readonly url: string | undefined;
  private nextId = 1;

  constructor(config: ConfigService<AllConfig, true>) {
    this.url = config.get('app', { infer: true }).kamailioRpcUrl;
  }

  /** Asks Kamailio to reload its domain table (the domain module caches it). */
  reloadDomains(): Promise<RpcOutcome> {
    return this.call('domain.reload');
  }

  private async call(method: string): Promise<RpcOutcome> {
    if (!this.url) {
      return { confirmed: false, detail: `KAMAILIO_RPC_URL is not set: run "kamcmd ${method}" on the Kamailio host` };
    }
    const id = this.nextId++;
    const outcome = await this.post(this.url, { jsonrpc: '2.0', method, id });
    if (!outcome.confirmed) this.logger.warn(`${method}: ${outcome.detail}`);
    return outcome;
  }

  private async post(url: string, request: { jsonrpc: string; method: string; id: number }): Promise<RpcOutcome> {
    const failed = (why: string): RpcOutcome => ({
      confirmed: false,
      detail: `the change is saved, but Kamailio did not confirm ${request.method}: ${why}`,
    });
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(KAMAILIO_RPC_TIMEOUT_MS),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return failed(`no answer within ${KAMAILIO_RPC_TIMEOUT_MS} ms`);
      return failed(`unreachable (${e.cause?.code ?? e.message})`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return failed(`no answer within ${KAMAILIO_RPC_TIMEOUT_MS} ms`);
      return failed(`HTTP ${response.status} without a JSON-RPC answer`);
    }
    if (typeof body !== 'object' || body === null) return failed(`HTTP ${response.status} without a JSON-RPC answer`);
    const answer = body as { error?: { code?: unknown; message?: unknown }; result?: unknown };
    if (answer.error !== undefined && answer.error !== null) {
      const message = typeof answer.error.message === 'string' ? answer.error.message : 'unknown error';
      const code = typeof answer.error.code === 'number' ? ` ${answer.error.code}` : '';
      return failed(`error${code}: ${message}`);
    }
    if (!response.ok) return failed(`HTTP ${response.status}`);
    if (!('result' in answer)) return failed('the answer has no result');
    return { confirmed: true };
  }
}
