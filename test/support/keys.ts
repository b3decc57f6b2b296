import { createHash, randomBytes } from 'node:crypto';
import type { TestDatabase } from './databases';

/**
 * An API key written straight into kamprov_api_keys (as ApiKeysService.create stores it:
 * only its SHA-256), for suites that need keys of several roles without spawning the CLI.
 */
export async function insertKey(db: TestDatabase, name: string, role: 'read' | 'provision' | 'admin'): Promise<string> {
  const keyId = randomBytes(6).toString('hex');
  const key = `kp_${keyId}_${randomBytes(24).toString('base64url')}`;
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  await db.exec('INSERT INTO kamprov_api_keys (name, role, key_id, key_hash) VALUES (?, ?, ?, ?)', [name, role, keyId, hash]);
  return key;
}
