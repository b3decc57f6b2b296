import { Inject, Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { Liquid } from 'liquidjs';
import type { UserView } from '../users/user-view';
import type { DeviceRecord, PhoneLine } from './devices.service';
import { PROVISIONING_CONFIG, ProvisioningConfig } from './provisioning.config';
import type { ProvFile } from './vendors';

/** The built-in templates, next to this file (nest-cli.json copies them into dist). */
export const BUILTIN_TEMPLATES = join(__dirname, 'templates');

/** A template that did not parse or render, with where (file, line, column) when Liquid knows. */
export class TemplateError extends Error {}

/** One line as every template sees it (see docs/provisioning.md). */
export interface LineContext {
  index: number;
  local: boolean;
  username: string;
  domain: string;
  /** The address of record, user@domain. */
  aor: string;
  password: string;
  authid: string;
  display_name: string;
  label: string;
  registrar_host: string;
  registrar_port: number;
  /** `host:port` */
  registrar: string;
  /** Empty when a remote user has no proxy. */
  proxy_host: string;
  proxy_port: number | null;
  proxy: string;
  /** Where the phone sends everything: the proxy, else the registrar (`host:port`). */
  outbound: string;
  outbound_host: string;
  outbound_port: number;
  /** The user's dial plan (a digit map), empty when unset; templates use it where the vendor takes a digit map. */
  dialplan: string;
}

export interface RenderContext {
  phone: { mac: string; MAC: string; mac_colons: string; vendor: string; model: string };
  lines: LineContext[];
  /** The base URL of /prov as the phone reached it (for files that point to other files). */
  prov_url: string;
}

/** A template value as text (numbers and strings; anything else is empty). */
const asText = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

// eslint-disable-next-line no-control-regex -- control characters are what this removes
const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- what XML 1.0 forbids, and line breaks (a value is one line in every format)
const NOT_XML = /[\u0000-\u001f\u007f\u0085\u2028\u2029\ufffe\uffff]/g;

/** Removes what could end a `key = value` line or start another: control characters (CR, LF, ...). */
export const textEscape = (v: unknown): string => asText(v).replace(CONTROL, '');

/** XML character escaping; no control characters (neither those XML 1.0 forbids nor line breaks). */
export const xmlEscape = (v: unknown): string =>
  asText(v)
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/**
 * Renders provisioning files with LiquidJS, sandboxed: templates can only read the context
 * (own properties only, no prototypes), only load files from the operator's directory and
 * the built-in one, and are stopped past the parse/render/memory limits. Every `{{ }}`
 * output is escaped for the file's format (XML or `key = value` text) unless a template
 * says `| raw` on purpose.
 */
@Injectable()
export class TemplateRenderer {
  private readonly xml: Liquid;
  private readonly text: Liquid;

  constructor(@Inject(PROVISIONING_CONFIG) private readonly config: ProvisioningConfig) {
    const roots = config.templatesDir ? [config.templatesDir, BUILTIN_TEMPLATES] : [BUILTIN_TEMPLATES];
    const common = {
      root: roots,
      partials: roots,
      layouts: roots,
      extname: '',
      cache: false, // an operator's edit applies to the next fetch
      ownPropertyOnly: true,
      strictFilters: true,
      relativeReference: false,
      dynamicPartials: false,
      parseLimit: 1_000_000,
      renderLimit: 1_000,
      memoryLimit: 10_000_000,
    };
    this.xml = new Liquid({ ...common, outputEscape: xmlEscape });
    this.text = new Liquid({ ...common, outputEscape: textEscape });
    for (const engine of [this.text]) {
      // baresip/linphone: a display name inside "..." of a SIP name-addr.
      engine.registerFilter('sip_quote', (v: unknown) => textEscape(v).replace(/["\\]/g, ''));
    }
    this.xml.registerFilter('sip_quote', (v: unknown) => asText(v).replace(/["\\]/g, ''));
  }

  /** The context a phone's templates see. */
  context(device: Pick<DeviceRecord, 'mac' | 'vendor' | 'model'>, lines: PhoneLine[], provUrl: string): RenderContext {
    const mac = device.mac;
    return {
      phone: {
        mac,
        MAC: mac.toUpperCase(),
        mac_colons: mac.match(/../g)!.join(':'),
        vendor: device.vendor,
        model: device.model ?? '',
      },
      lines: lines.map((l, i) => this.line(i + 1, l)),
      prov_url: provUrl,
    };
  }

  async render(file: ProvFile, context: RenderContext | Record<string, never>): Promise<string> {
    const engine = file.contentType.startsWith('application/xml') ? this.xml : this.text;
    try {
      return (await engine.renderFile(file.template, context)) as string;
    } catch (err) {
      throw new TemplateError(`${file.template}: ${(err as Error).message}`);
    }
  }

  private line(index: number, { line, user }: PhoneLine): LineContext {
    const local = user.type === 'local';
    const server = this.config.sipServer;
    const registrarHost = local ? (server?.host ?? user.domain) : (user.registrar ?? user.domain);
    const registrarPort = local ? (server?.port ?? 5060) : (user.r_port ?? 5060);
    const proxyHost = local ? registrarHost : (user.proxy ?? '');
    const proxyPort = local ? registrarPort : user.proxy ? (user.p_port ?? 5060) : null;
    const outboundHost = proxyHost || registrarHost;
    const outboundPort = proxyHost ? proxyPort! : registrarPort;
    return {
      index: line ?? index,
      local,
      username: user.username,
      domain: user.domain,
      aor: `${user.username}@${user.domain}`,
      password: user.password ?? '',
      authid: (local ? null : user.authid) ?? user.username,
      display_name: user.displayname ?? user.username,
      label: user.linetext ?? user.username,
      registrar_host: registrarHost,
      registrar_port: registrarPort,
      registrar: `${registrarHost}:${registrarPort}`,
      proxy_host: proxyHost,
      proxy_port: proxyPort,
      proxy: proxyHost ? `${proxyHost}:${proxyPort}` : '',
      outbound: `${outboundHost}:${outboundPort}`,
      outbound_host: outboundHost,
      outbound_port: outboundPort,
      dialplan: user.dialplan ?? '',
    };
  }
}

export type { UserView };
