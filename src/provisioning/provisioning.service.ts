import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '../database/db-errors';
import { PhonesError, PhonesErrorCode } from '../phones/phones.errors';
import { DeviceRecord, DevicesService } from './devices.service';
import { DigestVerifier, parseDigest } from './digest';
import { PROVISIONING_CONFIG, ProvisioningConfig } from './provisioning.config';
import { TemplateError, TemplateRenderer } from './renderer';
import { sameSecret, tokenHash } from './secrets';
import { macInUserAgent, parseFileName, ProvFile, resolveFile } from './vendors';
import type { FastifyBaseLogger } from 'fastify';
import { ScopedLogger } from '../logging/scoped-logger';

/** What /prov needs to know of a request. */
export interface ProvRequest {
  /** The file name below /prov (or below /prov/t/<token>). */
  file: string;
  /** The token of /prov/t/<token>/<file>; undefined for Digest. */
  token?: string;
  method: string;
  /** The request URI exactly as sent (what the Digest `uri` must equal). */
  uri: string;
  authorization?: string;
  userAgent?: string;
  client: string;
  /** The base URL of /prov as the phone reached it. */
  provUrl: string;
  /** The request's logger (with its `reqId`), for the line each answer is logged with. */
  log?: FastifyBaseLogger;
}

/** A /prov answer: a file, or a plain-text refusal. */
export interface ProvAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  /** Why it was refused (logged, never sent). */
  reason?: string;
  mac?: string;
}

const PLAIN = 'text/plain; charset=utf-8';

/**
 * Serves phones their files (issue 13): the name decides the MAC and the candidate formats,
 * the phone's stored vendor the format; Digest (or the token) proves it is that phone.
 * Every answer is `Cache-Control: no-store`. Refusals say little: the same 401 challenge
 * whether the MAC is known or not.
 */
@Injectable()
export class ProvisioningService {
  private readonly logger = new ScopedLogger('Provisioning');
  private verifier?: Promise<DigestVerifier>;
  private lastPurge = 0;
  private readonly hits = new Map<string, { start: number; n: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly devices: DevicesService,
    private readonly renderer: TemplateRenderer,
    @Inject(PROVISIONING_CONFIG) private readonly config: ProvisioningConfig,
  ) {}

  async serve(req: ProvRequest): Promise<ProvAnswer> {
    const answer = await this.answer(req).catch((err: unknown) => {
      if (err instanceof TemplateError) return refusal(500, 'the configuration could not be rendered', err.message);
      throw err;
    });
    const line =
      `prov mac=${answer.mac ?? '-'} file=${oneLine(req.file)} status=${answer.status} client=${req.client}` +
      `${req.token !== undefined ? ' via=token' : ''}${answer.reason ? ` reason=${oneLine(answer.reason)}` : ''}`;
    if (answer.status === 200) this.logger.log(line, req);
    else this.logger.warn(line, req);
    return answer;
  }

  /** The rendered file for phone/config (no credentials: the caller is an admin). */
  async preview(mac: string, file: string, provUrl: string): Promise<{ content_type: string; content: string }> {
    const parsed = parseFileName(file);
    if (parsed && 'mac' in parsed && parsed.mac !== mac) {
      throw new PhonesError(PhonesErrorCode.NotFound, `${file} is not a file of phone ${mac}`);
    }
    const device = await this.devices.get(mac);
    const target = !parsed ? undefined : 'common' in parsed ? parsed.common : resolveFile(parsed.candidates, device.vendor);
    if (!target || !target.vendors.includes(device.vendor as never)) {
      throw new PhonesError(PhonesErrorCode.NotFound, `a ${device.vendor} phone has no file ${file}`);
    }
    try {
      return { content_type: target.contentType, content: await this.render(target, device, provUrl) };
    } catch (err) {
      if (err instanceof TemplateError) throw new PhonesError(PhonesErrorCode.Template, err.message);
      throw err;
    }
  }

  private async answer(req: ProvRequest): Promise<ProvAnswer> {
    if (!this.allow(req.client)) return refusal(429, 'too many requests', 'rate limited');
    const parsed = parseFileName(req.file);
    if (!parsed) return refusal(404, 'not found', 'no vendor uses this name');
    if ('common' in parsed) {
      // Common files carry no secret and need no credentials.
      return file(parsed.common, await this.renderer.render(parsed.common, { prov_url: req.provUrl } as never));
    }
    const mac = parsed.mac;
    const uaMac = macInUserAgent(req.userAgent);
    if (uaMac !== undefined && uaMac !== mac) return { ...refusal(403, 'forbidden', `User-Agent carries ${uaMac}`), mac };
    const device = await this.devices.find(mac);
    if (req.token !== undefined) {
      if (!device?.tokenHash || !sameSecret(device.tokenHash, tokenHash(req.token)))
        return { ...refusal(403, 'forbidden', 'wrong token'), mac };
    } else {
      const refused = await this.checkDigest(req, mac, device);
      if (refused) return { ...refused, mac };
    }
    const target = resolveFile(parsed.candidates, device!.vendor);
    if (!target) return { ...refusal(404, 'not found', `not a ${device!.vendor} file`), mac };
    return { ...file(target, await this.render(target, device!, req.provUrl)), mac };
  }

  private async render(target: ProvFile, device: DeviceRecord, provUrl: string): Promise<string> {
    const lines = await this.devices.lines(device.mac);
    return this.renderer.render(target, this.renderer.context(device, lines, provUrl));
  }

  /** undefined when the request carries valid, fresh, unused Digest credentials of this phone. */
  private async checkDigest(req: ProvRequest, mac: string, device: DeviceRecord | undefined): Promise<ProvAnswer | undefined> {
    const verifier = await this.getVerifier();
    const params = parseDigest(req.authorization);
    if (!params) return challenge(verifier, false, req.authorization ? 'not Digest credentials' : 'no credentials');
    const outcome = verifier.verify(params, req.method, req.uri, mac, device ?? undefined);
    if (!outcome.ok) return challenge(verifier, outcome.stale, outcome.reason);
    if (!(await this.useNonce(outcome.nonce, outcome.expiresAt))) return challenge(verifier, true, 'replayed nonce');
    return undefined;
  }

  /**
   * Records a nonce as used; false when it already was. The database decides (primary
   * key), so a nonce replayed to another instance is refused too.
   */
  private async useNonce(nonce: string, expiresAt: number): Promise<boolean> {
    const now = Date.now();
    if (now - this.lastPurge > 60_000) {
      this.lastPurge = now;
      await this.dataSource.query('DELETE FROM kamprov_prov_nonces WHERE expires_at < ?', [now]);
    }
    try {
      await this.dataSource.query('INSERT INTO kamprov_prov_nonces (nonce, expires_at) VALUES (?, ?)', [nonce, expiresAt]);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  private getVerifier(): Promise<DigestVerifier> {
    this.verifier ??= this.dataSource
      .query<{ secret: string }[]>("SELECT secret FROM kamprov_prov_keys WHERE name = 'nonce'")
      .then(([row]) => {
        if (!row) throw new Error('kamprov_prov_keys has no nonce key: run the migrations');
        return new DigestVerifier(row.secret, this.config.nonceTtlS * 1000);
      });
    this.verifier.catch(() => (this.verifier = undefined));
    return this.verifier;
  }

  /** A fixed window of a minute per client address (per instance, like the API's rate limit). */
  private allow(client: string): boolean {
    const max = this.config.rateLimitMax;
    if (max === 0) return true;
    const now = Date.now();
    if (this.hits.size > 10_000) {
      for (const [k, v] of this.hits) if (now - v.start >= 60_000) this.hits.delete(k);
    }
    const hit = this.hits.get(client);
    if (!hit || now - hit.start >= 60_000) {
      this.hits.set(client, { start: now, n: 1 });
      return true;
    }
    hit.n++;
    return hit.n <= max;
  }
}

const oneLine = (s: string) => s.replace(/[^\x21-\x7e]/g, '?').slice(0, 128);

const noStore = { 'cache-control': 'no-store' };

function file(target: ProvFile, body: string): ProvAnswer {
  return { status: 200, headers: { ...noStore, 'content-type': target.contentType }, body };
}

function refusal(status: number, text: string, reason: string): ProvAnswer {
  return { status, headers: { ...noStore, 'content-type': PLAIN }, body: `${text}\n`, reason };
}

function challenge(verifier: DigestVerifier, stale: boolean, reason: string): ProvAnswer {
  return {
    ...refusal(401, 'unauthorized', reason),
    headers: { ...noStore, 'content-type': PLAIN, 'www-authenticate': verifier.challenges(stale) },
  };
}
