import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ContentLinkSigner } from '../domain/content-links';
import type { DependencyCheck } from '../domain/ports';

/** Health probes answer within a couple of seconds, so a dead dependency shows as 503, not a hung request. */
const probeTimeoutMs = 2_500;

export function dynamoCheck(dynamo: DynamoDBClient, tableName: string): DependencyCheck {
  return {
    name: 'dynamodb',
    async check() {
      await dynamo.send(new DescribeTableCommand({ TableName: tableName }), {
        abortSignal: AbortSignal.timeout(probeTimeoutMs),
      });
    },
  };
}

/** An object key that never exists: the probe expects S3 to say so. */
export const healthProbeKey = 'health/probe-never-exists';

/**
 * S3 through the same signed links the readers use, so the API needs no S3 client: a GET of a key that does not
 * exist must come back as S3's `NoSuchKey` (the bucket exists, the credentials sign, S3 answers). NoSuchBucket,
 * any other error, or no answer in time means down.
 *
 * On AWS, S3 answers a missing key with 404 NoSuchKey only when the role may list the bucket (s3:ListBucket);
 * without it the answer is 403 AccessDenied, which this probe counts as down.
 */
export function contentLinkCheck(links: ContentLinkSigner): DependencyCheck {
  return {
    name: 's3',
    async check() {
      const url = await links.signGet(healthProbeKey, { expiresIn: 60 });
      const response = await fetch(url, { signal: AbortSignal.timeout(probeTimeoutMs) });
      const body = await response.text();
      const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
      if (response.ok || (response.status === 404 && code === 'NoSuchKey')) return;
      throw new Error(`S3 answered ${response.status} ${code ?? ''}`.trim());
    },
  };
}
