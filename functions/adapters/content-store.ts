import { GetObjectCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ContentObjects, DependencyCheck } from '../domain/ports';

/** The content bucket: where validated publications and covers live. */
export class S3ContentStore implements ContentObjects {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async put(
    key: string,
    body: Uint8Array | NodeJS.ReadableStream,
    contentType: string,
    size?: number,
  ): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body as Uint8Array,
        ContentType: contentType,
        ...(size !== undefined ? { ContentLength: size } : {}),
      }),
    );
  }

  /** A whole (small) object, or undefined when there is none. */
  async read(key: string): Promise<{ bytes: Uint8Array; contentType?: string } | undefined> {
    try {
      const result = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!result.Body) return undefined;
      const bytes = await result.Body.transformToByteArray();
      return { bytes, ...(result.ContentType ? { contentType: result.ContentType } : {}) };
    } catch (error) {
      if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound'))
        return undefined;
      throw error;
    }
  }
}

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

export function s3Check(s3: S3Client, bucket: string): DependencyCheck {
  return {
    name: 's3',
    async check() {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }), {
        abortSignal: AbortSignal.timeout(probeTimeoutMs),
      });
    },
  };
}
