import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSecretString } from '../../functions/adapters/secret-string';
import { ServiceUnavailableError } from '../../functions/domain/errors';
import { closedPortEndpoint, startSilentServer, type SilentServer } from '../helpers/unresponsive';

/**
 * Secrets Manager (signing keys and the pseudonym secret on AWS) under the same limits as the other stores:
 * the real client, pointed through the SDK's own endpoint variable at a stand-in that hangs or refuses.
 */
let silent: SilentServer;
const saved = { ...process.env };
const timeouts = { connectionTimeoutMs: 1_000, requestTimeoutMs: 600, maxAttempts: 2 };

beforeAll(async () => {
  silent = await startSilentServer();
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
});

afterAll(async () => {
  process.env = saved;
  await silent.close();
});

describe('readSecretString', () => {
  it.each([
    ['hangs', () => silent.endpoint],
    ['refuses connections', closedPortEndpoint],
  ])('gives ServiceUnavailableError quickly when Secrets Manager %s', async (name, endpoint) => {
    // Prepare
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await endpoint();
    const reachedBefore = silent.connections;
    const started = performance.now();
    // Act
    const read = readSecretString(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:keys',
      'us-east-1',
      timeouts,
    );
    // Assess: two attempts of 0.6 s at most, plus the SDK's short backoff
    await expect(read).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(performance.now() - started).toBeLessThan(2_500);
    // The hanging stand-in was really what the client talked to (not some other failure before connecting).
    if (name === 'hangs') expect(silent.connections).toBeGreaterThan(reachedBefore);
  });
});
