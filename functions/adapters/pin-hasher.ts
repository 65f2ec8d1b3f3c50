import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PinVerifier } from '../domain/sign-in';

/** scrypt parameters: N=2^14, r=8, p=1 (~16 MiB, tens of ms): slow for guessing, fine for a sign-in. */
const params = { N: 16_384, r: 8, p: 1 } as const;
const keyLength = 32;

function derive(pin: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin.normalize('NFKC'), salt, keyLength, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url), salt unique per record. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(pin, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * A hash of a random PIN that was thrown away, with the same parameters as real hashes: an unknown card is
 * checked against it, so it costs the same scrypt run as a known one. (The answer is false either way.)
 */
const dummyHash = 'scrypt$16384$8$1$RPS78RbFLNR-yi0ihk6UIg$C_oRqBePZ3UFMcpa8nZakMfsOpErnME55QGb4ew0uKU';

/** The PinVerifier port (functions/domain/sign-in.ts) over scrypt. */
export const scryptPinVerifier: PinVerifier = {
  async verify(pin: string, stored: string | undefined): Promise<boolean> {
    if (stored !== undefined) return verifyPin(pin, stored);
    await verifyPin(pin, dummyHash);
    return false;
  },
};
