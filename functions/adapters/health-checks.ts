import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ContentLinkSigner } from '../domain/content-links';
import type { DependencyCheck } from '../domain/ports';

/**
 * Health probes give up well before a data call would (DEPENDENCY_REQUEST_TIMEOUT_MS and its retry) and before
 * the request's deadline, so a store that hangs is named in the health body quickly rather than timing out
 * the health request itself.
 */
export const probeTimeoutMs = 1_500;

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

/**
 * An object key that never exists, under content/ because that is where the patron API's role may GetObject.
 * (No title id starts with a dot.)
 */
export const healthProbeKey = 'content/.health-probe';

/** S3 error codes that mean "the bucket is there and checked our signature, but has no such object for us". */
const answeredCodes = new Set([
  'NoSuchKey',
  // Without s3:ListBucket (the API roles do not have it) S3 hides a missing key behind AccessDenied.
  'AccessDenied',
]);

/**
 * S3 through the same signed links the readers use, so the API needs no S3 client: a GET of a key that does not
 * exist must come back as S3 saying so (the bucket exists, the credentials sign, S3 answers). NoSuchBucket, a
 * signature or credential error, anything else, or no answer in time means down.
 */
export function contentLinkCheck(links: ContentLinkSigner): DependencyCheck {
  return {
    name: 's3',
    async check() {
      const url = await links.signGet(healthProbeKey, { expiresIn: 60 });
      const response = await fetch(url, { signal: AbortSignal.timeout(probeTimeoutMs) });
      const body = await response.text();
      const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
      if (response.ok) return;
      // ("Request has expired" is an AccessDenied too, but means our clock or signing is off: down.)
      const expired = /Request has expired/i.test(body);
      if ((response.status === 404 || response.status === 403) && code && answeredCodes.has(code) && !expired)
        return;
      throw new Error(`S3 answered ${response.status} ${code ?? ''}`.trim());
    },
  };
}
