/** The phone vendors kamprov provisions (phone/set?vendor=). */
export const VENDORS = ['yealink', 'snom', 'grandstream', 'polycom', 'fanvil', 'cisco', 'baresip', 'linphone'] as const;
export type Vendor = (typeof VENDORS)[number];

export const isVendor = (v: unknown): v is Vendor => typeof v === 'string' && (VENDORS as readonly string[]).includes(v);

/** The Digest realm of /prov, part of the stored HA1: changing it invalidates every phone secret. */
export const PROV_REALM = 'kamprov';

/** What a requested file name resolves to. */
export interface ProvFile {
  /** The phone's MAC (12 lower-case hex digits); absent for a common file. */
  mac?: string;
  /** The template to render, e.g. `yealink/phone.cfg`. */
  template: string;
  contentType: string;
  /** The vendors this name can belong to; the phone's stored vendor must be one of them. */
  vendors: readonly Vendor[];
}

const HEX12 = '([0-9A-Fa-f]{12})';
const TEXT = 'text/plain; charset=utf-8';
const XML = 'application/xml; charset=utf-8';

/**
 * Each vendor's file names. A name that several vendors use (`<mac>.cfg`, `<mac>.xml`) is
 * decided by the phone's stored vendor (see resolveFile): the first entry whose vendor
 * matches wins.
 */
const PATTERNS: { re: RegExp; vendor: Vendor; template: string; contentType: string; common?: boolean }[] = [
  { re: /^y000000000000\.cfg$/i, vendor: 'yealink', template: 'yealink/common.cfg', contentType: TEXT, common: true },
  { re: new RegExp(`^${HEX12}\\.cfg$`), vendor: 'yealink', template: 'yealink/phone.cfg', contentType: TEXT },
  { re: new RegExp(`^${HEX12}\\.cfg$`), vendor: 'fanvil', template: 'fanvil/phone.cfg', contentType: TEXT },
  { re: new RegExp(`^${HEX12}\\.cfg$`), vendor: 'polycom', template: 'polycom/master.cfg', contentType: XML },
  { re: new RegExp(`^${HEX12}-lines\\.cfg$`), vendor: 'polycom', template: 'polycom/lines.cfg', contentType: XML },
  { re: new RegExp(`^${HEX12}\\.xml$`), vendor: 'snom', template: 'snom/phone.xml', contentType: XML },
  { re: new RegExp(`^${HEX12}\\.xml$`), vendor: 'cisco', template: 'cisco/phone.xml', contentType: XML },
  { re: new RegExp(`^snom[A-Za-z0-9]{1,16}-${HEX12}\\.htm$`), vendor: 'snom', template: 'snom/model.htm', contentType: XML },
  { re: new RegExp(`^cfg${HEX12}\\.xml$`), vendor: 'grandstream', template: 'grandstream/phone.xml', contentType: XML },
  { re: new RegExp(`^${HEX12}/accounts$`), vendor: 'baresip', template: 'baresip/accounts', contentType: TEXT },
  { re: new RegExp(`^${HEX12}/linphone\\.xml$`), vendor: 'linphone', template: 'linphone/linphone.xml', contentType: XML },
];

/** Every template name (for the operator's overrides and the tests). */
export const TEMPLATES = [...new Set(PATTERNS.map((p) => p.template))];

/**
 * The file a name asks for: `{ common: ... }` for a file that carries no secret,
 * `{ mac, candidates }` for a phone's file (the stored vendor picks the candidate),
 * undefined for a name no vendor uses.
 */
export function parseFileName(name: string): { common: ProvFile } | { mac: string; candidates: ProvFile[] } | undefined {
  const common = PATTERNS.find((p) => p.common && p.re.test(name));
  if (common) return { common: { template: common.template, contentType: common.contentType, vendors: [common.vendor] } };
  let mac: string | undefined;
  const candidates: ProvFile[] = [];
  for (const p of PATTERNS) {
    if (p.common) continue;
    const m = p.re.exec(name);
    if (!m) continue;
    mac = m[1].toLowerCase();
    candidates.push({ mac, template: p.template, contentType: p.contentType, vendors: [p.vendor] });
  }
  return mac ? { mac, candidates } : undefined;
}

/** The candidate that fits the phone's vendor; undefined = this name is not the vendor's (404). */
export function resolveFile(candidates: ProvFile[], vendor: string): ProvFile | undefined {
  return candidates.find((c) => (c.vendors as readonly string[]).includes(vendor));
}

/**
 * The MAC a phone's User-Agent carries, in the forms Yealink (`Yealink SIP-T46S 66.86.0.15
 * 80:5e:c0:11:22:33`), Snom (`snomD785/10.1.33.33 ... 00:04:13:...`), Grandstream
 * (`Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82123456`), Cisco (`Cisco-CP-8841-3PCC/11.3
 * (00562b043615)`) and Fanvil (`Fanvil X4 2.4.1 0c383e112233`) use: 12 hex digits, plain or
 * separated by `:` or `-`. Undefined when there is none.
 */
export function macInUserAgent(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  const m = /(?:^|[^0-9A-Fa-f])((?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{12})(?![0-9A-Fa-f])/.exec(ua);
  return m ? m[1].replace(/[:-]/g, '').toLowerCase() : undefined;
}
