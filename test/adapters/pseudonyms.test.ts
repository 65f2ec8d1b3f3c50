import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ensurePseudonymSecretFile,
  filePseudonymSecret,
  hmacPseudonyms,
  pseudonymSecretFile,
  staticPseudonymSecret,
} from '../../functions/adapters/pseudonyms';
import { PustakaError } from '../../functions/domain/errors';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pustaka-pseudonyms-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the local pseudonym secret', () => {
  it('is generated into DATA_DIR on first use (owner-only) and the same after a restart', async () => {
    // Prepare
    const dir = dataDir();
    // Act
    const first = ensurePseudonymSecretFile(dir);
    const afterRestart = await hmacPseudonyms(filePseudonymSecret(dir)).subjectFor('https://idp', 'm-1');
    const before = await hmacPseudonyms(staticPseudonymSecret(first.secret)).subjectFor('https://idp', 'm-1');
    // Assess
    expect(first.created).toBe(true);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(pseudonymSecretFile(dir)).mode & 0o777).toBe(0o600);
    expect(ensurePseudonymSecretFile(dir)).toEqual({ secret: first.secret, created: false });
    expect(afterRestart).toBe(before);
  });

  it('differs between two fresh data directories (no built-in constant)', () => {
    expect(ensurePseudonymSecretFile(dataDir()).secret).not.toBe(ensurePseudonymSecretFile(dataDir()).secret);
  });
});

describe('hmacPseudonyms', () => {
  it('reads the secret once, and a failed read answers 503 FEDERATION_UNAVAILABLE and is retried next time', async () => {
    // Prepare
    let reads = 0;
    const pseudonyms = hmacPseudonyms(async () => {
      reads += 1;
      if (reads === 1) throw new Error('Secrets Manager timed out');
      return 'x'.repeat(40);
    });
    // Act
    const failure = await pseudonyms.subjectFor('https://idp', 'm-1').catch((e: unknown) => e);
    const a = await pseudonyms.subjectFor('https://idp', 'm-1');
    const b = await pseudonyms.subjectFor('https://idp', 'm-1');
    // Assess
    expect(failure).toBeInstanceOf(PustakaError);
    expect(failure).toMatchObject({ status: 503, code: 'FEDERATION_UNAVAILABLE' });
    expect(a).toBe(b);
    expect(a).toMatch(/^fm-[A-Za-z0-9_-]{32}$/);
    expect(reads).toBe(2);
  });

  it('refuses a secret shorter than 32 characters', async () => {
    // Prepare
    const pseudonyms = hmacPseudonyms(staticPseudonymSecret('short'));
    // Act / Assess
    await expect(pseudonyms.subjectFor('https://idp', 'm-1')).rejects.toMatchObject({
      status: 503,
      code: 'FEDERATION_UNAVAILABLE',
    });
  });
});
