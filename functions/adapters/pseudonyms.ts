import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ServiceUnavailableError } from '../domain/errors';
import type { Pseudonyms } from '../domain/federation';
import type { DependencyTimeouts } from './dependency-timeouts';
import { readSecretString } from './secret-string';

/**
 * A partner member's id at the gateway: HMAC-SHA256 over (issuer, subject) with a server secret. Stable (the
 * same member gets the same id at every sign-in, so reading positions and bookmarks follow them), not
 * reversible without the secret, and unlinkable across partners.
 *
 * The secret must NEVER be rotated casually: every member's id would change, orphaning their reading
 * positions, bookmarks and sessions. There is deliberately no "previous" secret and no rotation procedure.
 * On AWS it is a Secrets Manager secret generated at deploy time (infra/constructs/pseudonym-secret.ts,
 * retained when the stack is deleted); locally a file in DATA_DIR generated on first run.
 */

/** Where the secret comes from; called once per process (cold start) by `hmacPseudonyms`. */
export type PseudonymSecretSource = () => Promise<string>;

export const minPseudonymSecretLength = 32;

/** The pseudonym of (issuer, sub) under `secret`: `fm-` + 32 base64url characters (192 bits). */
export function pseudonymOf(secret: string, issuer: string, sub: string): string {
  const digest = createHmac('sha256', secret).update(issuer).update('\u0000').update(sub).digest('base64url');
  return `fm-${digest.slice(0, 32)}`;
}

function checkSecret(secret: string, where: string): string {
  const value = secret.trim();
  if (value.length < minPseudonymSecretLength) {
    throw new Error(
      `The pseudonym secret in ${where} must be at least ${minPseudonymSecretLength} characters`,
    );
  }
  return value;
}

/**
 * Pseudonyms under the secret from `source`, read lazily on first use and kept for the life of the process;
 * a failed read is not cached (the next sign-in tries again) and answers 503 FEDERATION_UNAVAILABLE.
 */
export function hmacPseudonyms(source: PseudonymSecretSource): Pseudonyms {
  let secret: Promise<string> | undefined;
  const loadSecret = (): Promise<string> => {
    secret ??= source()
      .then((value) => checkSecret(value, 'the configured source'))
      .catch((error: unknown) => {
        secret = undefined;
        throw new ServiceUnavailableError({
          code: 'FEDERATION_UNAVAILABLE',
          detail: 'Partner sign-in is not available right now. Please try again shortly.',
          cause: error,
        });
      });
    return secret;
  };
  return {
    async subjectFor(issuer: string, sub: string): Promise<string> {
      return pseudonymOf(await loadSecret(), issuer, sub);
    },
  };
}

// ---- local mode: a file in DATA_DIR ----------------------------------------------------------------------

export const pseudonymSecretFile = (dataDir: string) => join(resolve(dataDir), 'pseudonym-secret');

/**
 * Reads DATA_DIR/pseudonym-secret, creating it (owner-only) with 256 random bits on first use, so that members'
 * ids stay the same across restarts of `npm start`. Deleting the file changes every member's id.
 */
export function ensurePseudonymSecretFile(dataDir: string): { secret: string; created: boolean } {
  const file = pseudonymSecretFile(dataDir);
  if (existsSync(file)) return { secret: checkSecret(readFileSync(file, 'utf8'), file), created: false };
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return ensurePseudonymSecretFile(dataDir);
    throw error;
  }
  return { secret, created: true };
}

export const filePseudonymSecret =
  (dataDir: string): PseudonymSecretSource =>
  async () =>
    ensurePseudonymSecretFile(dataDir).secret;

// ---- AWS: a Secrets Manager secret (a plain generated string) -----------------------------------------------

export const secretsManagerPseudonymSecret =
  (secretArn: string, region: string, timeouts: DependencyTimeouts): PseudonymSecretSource =>
  async () =>
    checkSecret(await readSecretString(secretArn, region, timeouts), `secret ${secretArn}`);

/** A secret fixed in code: tests only. */
export const staticPseudonymSecret =
  (secret: string): PseudonymSecretSource =>
  async () =>
    secret;
