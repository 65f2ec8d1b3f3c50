import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PartnerSecretStore } from '../domain/campus-sign-in';
import { outsideDeadline } from '../domain/deadline';
import { reportUnavailable, sdkClientOptions, type DependencyTimeouts } from './dependency-timeouts';

/**
 * Partners' OIDC client secrets, kept like the gateway's other secrets and never in the partner record (so a
 * table export, a log of the record or an API answer cannot carry them).
 *
 * Locally: one owner-only file per partner under DATA_DIR/partner-secrets. On AWS: one Secrets Manager secret
 * per partner, named `<prefix><partnerId>`, written when a librarian sets it and read at sign-in (cached for
 * the process, dropped when a new one is written here).
 */

const partnerIdPattern = /^[a-z0-9][a-z0-9-]{1,62}$/;

function checkedId(partnerId: string): string {
  // Ids are validated by the API; checked again because they become file and secret names.
  if (!partnerIdPattern.test(partnerId)) throw new TypeError(`Not a partner id: ${partnerId}`);
  return partnerId;
}

export function filePartnerSecrets(dataDir: string): PartnerSecretStore {
  const dir = join(resolve(dataDir), 'partner-secrets');
  const fileOf = (partnerId: string) => join(dir, checkedId(partnerId));
  return {
    async put(partnerId, secret) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = fileOf(partnerId);
      const temporary = `${file}.tmp`;
      writeFileSync(temporary, secret, { mode: 0o600 });
      chmodSync(temporary, 0o600);
      renameSync(temporary, file);
    },
    async get(partnerId) {
      const file = fileOf(partnerId);
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    },
  };
}

export function secretsManagerPartnerSecrets(
  prefix: string,
  region: string,
  timeouts: DependencyTimeouts,
): PartnerSecretStore {
  const cache = new Map<string, Promise<string | undefined>>();
  const withClient = <T>(
    work: (
      sm: typeof import('@aws-sdk/client-secrets-manager'),
      client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient,
    ) => Promise<T>,
  ) =>
    outsideDeadline(async () => {
      const sm = await import('@aws-sdk/client-secrets-manager');
      const client = new sm.SecretsManagerClient({ region, ...sdkClientOptions(timeouts) });
      reportUnavailable(client, 'secretsmanager');
      try {
        return await work(sm, client);
      } finally {
        client.destroy();
      }
    });
  return {
    async put(partnerId, secret) {
      const name = `${prefix}${checkedId(partnerId)}`;
      cache.delete(partnerId);
      await withClient(async (sm, client) => {
        try {
          await client.send(new sm.PutSecretValueCommand({ SecretId: name, SecretString: secret }));
        } catch (error) {
          if (!(error instanceof sm.ResourceNotFoundException)) throw error;
          await client.send(new sm.CreateSecretCommand({ Name: name, SecretString: secret }));
        }
      });
    },
    get(partnerId) {
      const name = `${prefix}${checkedId(partnerId)}`;
      let value = cache.get(partnerId);
      if (!value) {
        value = withClient(async (sm, client) => {
          try {
            const { SecretString } = await client.send(new sm.GetSecretValueCommand({ SecretId: name }));
            return SecretString;
          } catch (error) {
            if (error instanceof sm.ResourceNotFoundException) return undefined;
            throw error;
          }
        });
        value.catch(() => cache.delete(partnerId));
        cache.set(partnerId, value);
      }
      return value;
    },
  };
}
