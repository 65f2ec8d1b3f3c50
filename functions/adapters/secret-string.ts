import { outsideDeadline } from '../domain/deadline';
import { reportUnavailable, sdkClientOptions, type DependencyTimeouts } from './dependency-timeouts';

/**
 * Reads the string value of a Secrets Manager secret. The client is loaded only when a secret is first needed
 * (once per cold start, and only on AWS), so local mode and the bundle's init path never pay for it.
 * The read is cached for the process by its callers and shared by the requests waiting for it, so it runs
 * outside any one request's deadline, bounded by the per-call timeouts alone.
 */
export function readSecretString(
  secretArn: string,
  region: string,
  timeouts: DependencyTimeouts,
): Promise<string> {
  return outsideDeadline(async () => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region, ...sdkClientOptions(timeouts) });
    reportUnavailable(client, 'secretsmanager');
    try {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (!SecretString) throw new Error(`Secret ${secretArn} has no string value`);
      return SecretString;
    } finally {
      client.destroy();
    }
  });
}
