import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { CampusFlow, CampusFlowSealer } from '../domain/campus-sign-in';
import { ServiceUnavailableError } from '../domain/errors';
import type { PseudonymSecretSource } from './pseudonyms';

/**
 * The campus sign-in flow cookie: a compact JWS (HS256) over the flow, keyed by a key derived from the server's
 * pseudonym secret (Secrets Manager on AWS, DATA_DIR locally) with a label of its own, so no second secret has
 * to be provisioned and the key cannot be used for anything else. The browser keeps it in an HttpOnly cookie;
 * an altered byte, another key or a passed `exp` makes `open` answer undefined.
 */
const purpose = 'pustaka campus sign-in flow cookie v1';
const audience = 'pustaka-campus-flow';

export function campusFlowKey(secret: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update(purpose).digest());
}

export function createCampusFlowSealer(source: PseudonymSecretSource): CampusFlowSealer {
  let key: Promise<Uint8Array> | undefined;
  const keyOf = () => {
    key ??= source()
      .then((secret) => campusFlowKey(secret.trim()))
      .catch((error: unknown) => {
        key = undefined;
        throw new ServiceUnavailableError({
          code: 'FEDERATION_UNAVAILABLE',
          detail: 'Partner sign-in is not available right now. Please try again shortly.',
          cause: error,
        });
      });
    return key;
  };
  return {
    async seal(flow: CampusFlow): Promise<string> {
      const { expiresAt, ...claims } = flow;
      return new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setAudience(audience)
        .setExpirationTime(expiresAt)
        .sign(await keyOf());
    },
    async open(value: string | undefined, now: Date): Promise<CampusFlow | undefined> {
      if (!value || value.length > 4096) return undefined;
      const secretKey = await keyOf();
      try {
        const { payload } = await jwtVerify(value, secretKey, {
          algorithms: ['HS256'],
          audience,
          currentDate: now,
          requiredClaims: ['exp'],
        });
        const text = (name: string) => (typeof payload[name] === 'string' ? (payload[name] as string) : '');
        return {
          partnerId: text('partnerId'),
          state: text('state'),
          nonce: text('nonce'),
          codeVerifier: text('codeVerifier'),
          returnPath: text('returnPath'),
          expiresAt: payload.exp!,
        };
      } catch {
        return undefined;
      }
    },
  };
}
