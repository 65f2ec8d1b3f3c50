/**
 * Reads the string value of a Secrets Manager secret. The client is loaded only when a secret is first needed
 * (once per cold start, and only on AWS), so local mode and the bundle's init path never pay for it.
 */
export async function readSecretString(secretArn: string, region: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }), {
      abortSignal: AbortSignal.timeout(5_000),
    });
    if (!SecretString) throw new Error(`Secret ${secretArn} has no string value`);
    return SecretString;
  } finally {
    client.destroy();
  }
}
