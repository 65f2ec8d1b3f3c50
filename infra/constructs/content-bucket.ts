import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  type CfnBucket,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { catalogueSnapshotKeys, objectKeys } from '../../functions/adapters/keys.js';

/** Key prefixes, taken from the one place object keys are built. */
export const contentPrefix = objectKeys.content('', '').split('/')[0] + '/'; // 'content/'
export const incomingPrefix = objectKeys.incoming(''); // 'incoming/'
export const catalogueSnapshotPrefix = catalogueSnapshotKeys.prefix; // 'search/'

export interface ContentBucketProps {
  /** Where S3 server access logs go. */
  readonly accessLogs: IBucket;
}

/**
 * The licensed content: validated publications under `content/` (reached only by short signed links) and
 * untrusted librarian uploads under `incoming/` until they are checked.
 *
 * Encryption is SSE-S3 on purpose: signed links and PDF range requests then need no kms:Decrypt grant,
 * every range request avoids a KMS call (cost and KMS request quotas), and the data is still encrypted at
 * rest with AES-256. Access control is IAM plus the bucket policy, not the key policy.
 *
 * The bucket name is derived from stack, account and region (not generated) so that the reader site's CSP
 * can name the bucket's host without a reference to the bucket, which would create a dependency cycle
 * (the bucket's CORS rule names the site's origin).
 */
export class ContentBucket extends Construct {
  readonly bucket: Bucket;
  readonly bucketName: string;
  /** `https://<bucket>.s3.<region>.amazonaws.com`: the host signed links point at (virtual-hosted style). */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ContentBucketProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucketName = `${stack.stackName.toLowerCase()}-content-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
    this.origin = `https://${this.bucketName}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`;

    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: this.bucketName,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 's3/content/',
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Uploads that were never validated and moved to content/.
        { id: 'expire-unvalidated-uploads', prefix: incomingPrefix, expiration: Duration.days(2) },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
        // Catalogue index snapshots: a new key per build, and the sweeper builds a fresh one at least weekly,
        // so older ones are only what a reader might still be loading.
        {
          id: 'expire-old-catalogue-snapshots',
          prefix: catalogueSnapshotPrefix,
          expiration: Duration.days(30),
        },
      ],
      // Licensed publications are not recreated by a redeploy.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Lets the reader (at `origin`) fetch signed links with Range requests and librarians upload parts with
   * signed PUTs from the browser. ETag is exposed because multipart completion needs each part's ETag.
   */
  allowReaderOrigin(origin: string): void {
    this.bucket.addCorsRule({
      allowedOrigins: [origin],
      allowedMethods: [HttpMethods.GET, HttpMethods.HEAD, HttpMethods.PUT],
      allowedHeaders: ['Range', 'Content-Type', 'Content-MD5', 'x-amz-*'],
      exposedHeaders: ['Accept-Ranges', 'Content-Range', 'Content-Length', 'ETag'],
      maxAge: 3600,
    });
  }

  /** The patron API signs GET links to validated content only. */
  grantReadContent(grantee: IRole): void {
    this.addStatement(grantee, 'ReadValidatedContent', ['s3:GetObject'], contentPrefix);
  }

  /**
   * The librarian API: signed PUTs and multipart uploads into `incoming/`, reading and deleting what was
   * uploaded there while validating it, and writing the validated copy under `content/` (CopyObject needs
   * GetObject on the source and PutObject on the target).
   */
  grantUploadAndPublish(grantee: IRole): void {
    this.addStatement(
      grantee,
      'ReceiveUploads',
      [
        's3:PutObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
        's3:GetObject',
        's3:DeleteObject',
      ],
      incomingPrefix,
    );
    // PutObject covers CopyObject and the part copies of a large object (create, copy parts, complete);
    // AbortMultipartUpload lets a failed part copy clean up after itself. No read or delete under content/.
    this.addStatement(
      grantee,
      'PublishValidatedContent',
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      contentPrefix,
    );
  }

  /** Both APIs load the catalogue index snapshot (functions/adapters/catalogue-index.ts). */
  grantReadCatalogueSnapshots(grantee: IRole): void {
    this.addStatement(grantee, 'ReadCatalogueSnapshots', ['s3:GetObject'], catalogueSnapshotPrefix);
  }

  /** The sweeper builds and stores them. */
  grantWriteCatalogueSnapshots(grantee: IRole): void {
    this.addStatement(grantee, 'WriteCatalogueSnapshots', ['s3:PutObject'], catalogueSnapshotPrefix);
  }

  private addStatement(grantee: IRole, sid: string, actions: string[], prefix: string): void {
    grantee.addToPrincipalPolicy(
      new PolicyStatement({
        sid,
        effect: Effect.ALLOW,
        actions,
        resources: [this.bucket.arnForObjects(`${prefix}*`)],
      }),
    );
    const bucketLogicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${prefix}*]`,
      reason:
        `Object keys are generated per title and upload, so the grant names the ${prefix} key prefix; ` +
        'the prefix is what separates validated content from untrusted uploads.',
    });
  }
}
