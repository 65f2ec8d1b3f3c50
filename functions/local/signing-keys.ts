import { ensureSigningKeysFile, signingKeysFile, type SigningKeyMaterial } from '../adapters/signing-keys';

/**
 * Local signing-key material: the same shape as the Secrets Manager secret on AWS,
 * `{"current": "<random seed>", "previous"?: "<older seed>"}`, kept in DATA_DIR with owner-only permissions.
 * The token service reads it through the same code (functions/adapters/signing-keys.ts).
 */
export type { SigningKeyMaterial };
export { signingKeysFile };

export function ensureLocalSigningKeys(dataDir: string): { material: SigningKeyMaterial; created: boolean } {
  return ensureSigningKeysFile(dataDir);
}
