import { createHash } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkAtHash } from '../../functions/adapters/campus-provider';

/** OIDC Core 3.1.3.6: at_hash binds the ID token to the access token issued with it. */

async function idToken(alg: string): Promise<string> {
  const { privateKey } = await generateKeyPair(alg);
  return new SignJWT({ sub: 'm' }).setProtectedHeader({ alg }).sign(privateKey);
}

const leftHalf = (hash: string, token: string) => {
  const digest = createHash(hash).update(token).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
};

describe('at_hash', () => {
  it.each([
    ['RS256', 'sha256'],
    ['ES384', 'sha384'],
    ['EdDSA', 'sha512'],
  ])('accepts the left half of the %s hash of the access token', async (alg, hash) => {
    const token = await idToken(alg);
    expect(() => checkAtHash(token, 'access-1', leftHalf(hash, 'access-1'))).not.toThrow();
  });

  it('refuses an at_hash of another access token, and passes when there is none', async () => {
    const token = await idToken('RS256');
    expect(() => checkAtHash(token, 'access-2', leftHalf('sha256', 'access-1'))).toThrow(
      expect.objectContaining({ code: 'CAMPUS_ID_TOKEN_INVALID' }),
    );
    expect(() => checkAtHash(token, 'access-2', undefined)).not.toThrow();
  });
});
