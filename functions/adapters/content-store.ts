import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The content bucket: where validated publications and covers live. */
export class S3ContentStore {
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
}
