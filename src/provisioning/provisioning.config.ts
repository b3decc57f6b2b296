import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InvalidEnvironmentError } from '../config/env.validation';

/** Provisioning's settings, read from the environment when the app starts. */
export interface ProvisioningConfig {
  /** `host[:port]` where phones reach Kamailio (registrar and outbound proxy of local users); undefined = the user's domain on 5060. */
  sipServer: { host: string; port: number } | undefined;
  /** The operator's template directory, searched before the built-in templates. */
  templatesDir: string | undefined;
  /** /prov requests per client address per minute; 0 = unlimited. */
  rateLimitMax: number;
  /** How long a Digest nonce is good for, in seconds. */
  nonceTtlS: number;
}

export const PROVISIONING_CONFIG = 'PROVISIONING_CONFIG';

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))(?::([1-9][0-9]{0,4}))?$/;

/**
 * PROVISIONING_SIP_SERVER (host[:port]), PROVISIONING_TEMPLATES_DIR (an existing directory),
 * PROVISIONING_RATE_LIMIT_MAX (per client address per minute, default 120, 0 = off) and
 * PROVISIONING_NONCE_TTL_S (default 300). A bad value stops the start with its name.
 */
export function loadProvisioningConfig(env: Record<string, string | undefined> = process.env): ProvisioningConfig {
  const bad: string[] = [];
  let sipServer: ProvisioningConfig['sipServer'];
  const server = env.PROVISIONING_SIP_SERVER?.trim();
  if (server) {
    const m = HOST_PORT.exec(server);
    const port = m?.[3] ? Number(m[3]) : 5060;
    if (!m || port > 65535) bad.push('PROVISIONING_SIP_SERVER: must be host or host:port');
    else sipServer = { host: m[1], port };
  }
  let templatesDir: string | undefined;
  const dir = env.PROVISIONING_TEMPLATES_DIR?.trim();
  if (dir) {
    templatesDir = isAbsolute(dir) ? dir : resolve(dir);
    if (!existsSync(templatesDir) || !statSync(templatesDir).isDirectory())
      bad.push('PROVISIONING_TEMPLATES_DIR: must be an existing directory');
  }
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) bad.push(`${name}: must be an integer from ${min} to ${max}`);
    return n;
  };
  const rateLimitMax = int('PROVISIONING_RATE_LIMIT_MAX', 120, 0, 1_000_000);
  const nonceTtlS = int('PROVISIONING_NONCE_TTL_S', 300, 10, 86_400);
  if (bad.length > 0) throw new InvalidEnvironmentError(`Invalid configuration:\n${bad.map((b) => `  ${b}`).join('\n')}`);
  return { sipServer, templatesDir, rateLimitMax, nonceTtlS };
}
