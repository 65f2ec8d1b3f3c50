import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Local signing-key material: the same shape as the Secrets Manager secret on AWS,
 * `{"current": "<random seed>", "previous"?: "<older seed>"}`, kept in DATA_DIR with owner-only permissions.
 */
export interface SigningKeyMaterial {
  current: string;
  previous?: string;
}

export const signingKeysFile = (dataDir: string) => join(resolve(dataDir), 'signing-keys.json');

export function ensureLocalSigningKeys(dataDir: string): { material: SigningKeyMaterial; created: boolean } {
  const file = signingKeysFile(dataDir);
  if (existsSync(file))
    return { material: JSON.parse(readFileSync(file, 'utf8')) as SigningKeyMaterial, created: false };
  mkdirSync(resolve(dataDir), { recursive: true });
  const material: SigningKeyMaterial = { current: randomBytes(32).toString('base64url') };
  writeFileSync(file, JSON.stringify(material, null, 2), { mode: 0o600 });
  return { material, created: true };
}
