import {
  Annotations,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

const BOOTSTRAP_QUALIFIER_CONTEXT = '@aws-cdk/core:bootstrapQualifier';

/** The Vite build output. */
export const webDistPath = path.join(repoRoot, 'web', 'dist');
/** Deployed instead when web/dist has not been built (synth in CI, construct tests). */
export const placeholderSitePath = path.join(repoRoot, 'infra', 'placeholder-site');

export interface ReaderSiteProps {
  /** The API's origin (`https://...execute-api...`): the only place the reader's scripts may call. */
  readonly apiOrigin: string;
  /** The content bucket's origin: signed links (EPUB/PDF bytes, covers) and upload PUTs. */
  readonly contentOrigin: string;
  readonly accessLogs: IBucket;
  /**
   * Folder to publish. @default web/dist when it holds an index.html, else infra/placeholder-site with a
   * synth warning (so synth and tests work before the reader is built, and nobody ships it unnoticed).
   */
  readonly assetPath?: string;
}

import { readerContentSecurityPolicy } from '../../functions/http/reader-csp';
import {
  hashedAssetsPath,
  immutableCacheControl,
  revalidateCacheControl,
} from '../../functions/http/site-caching';

export { readerContentSecurityPolicy };

/**
 * The reader app: a private bucket served only through CloudFront (origin access control), SPA fallback to
 * /index.html, and a response-headers policy with the strict CSP, HSTS, nosniff, DENY framing.
 */
export class ReaderSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  /** The same headers for /assets/* with the year-long immutable Cache-Control. */
  readonly assetHeaders: ResponseHeadersPolicy;
  /** `https://<id>.cloudfront.net` */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ReaderSiteProps) {
    super(scope, id);

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 's3/site/',
      // The site is rebuilt from the repository on every deploy.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const policy = (id: string, comment: string, cacheControl: string) =>
      new ResponseHeadersPolicy(this, id, {
        comment,
        securityHeadersBehavior: {
          contentSecurityPolicy: {
            contentSecurityPolicy: readerContentSecurityPolicy(props.contentOrigin, props.apiOrigin),
            override: true,
          },
          strictTransportSecurity: {
            accessControlMaxAge: Duration.days(365),
            includeSubdomains: true,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
          referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        },
        // What browsers keep (functions/http/site-caching.ts); the edge's own caching is the cache policy's.
        customHeadersBehavior: {
          customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: true }],
        },
      });
    this.headers = policy('Headers', 'Pustaka reader: strict CSP, HSTS, nosniff', revalidateCacheControl);
    this.assetHeaders = policy(
      'AssetHeaders',
      'Pustaka reader, hashed assets: as the rest, kept a year',
      immutableCacheControl,
    );

    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Pustaka reader',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      additionalBehaviors: {
        [hashedAssetsPath]: {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: this.assetHeaders,
          compress: true,
        },
      },
      // Client-side routes (/titles/abc, /me/loans) are not objects: serve the app and let it route.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Includes the edge locations in Indonesia and the rest of Asia.
      priceClass: PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/reader/',
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes. ' +
          'Attach a custom domain with an ACM certificate and minimumProtocolVersion TLSv1.2_2021 to lift this.',
      },
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Patrons of Kota Nusantara libraries read while travelling abroad; no geo restriction.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Static, read-only files; the API has its own throttling. WAF can be added per deployment.',
      },
    );

    this.deploy(props);
  }

  private deploy(props: ReaderSiteProps): void {
    let assetPath = props.assetPath;
    if (!assetPath) {
      if (existsSync(path.join(webDistPath, 'index.html'))) {
        assetPath = webDistPath;
      } else {
        assetPath = placeholderSitePath;
        Annotations.of(this).addWarningV2(
          'pustaka:reader-not-built',
          'web/dist is missing: deploying a placeholder page. Run `npm run build` before `cdk deploy`.',
        );
      }
    }

    // The deployment's custom-resource function gets its own log group and role instead of the default
    // AWSLambdaBasicExecutionRole managed policy.
    const logs = new LogGroup(this, 'DeploymentLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the reader build into the site bucket and invalidates CloudFront',
    });
    logs.grantWrite(role);

    new BucketDeployment(this, 'Deployment', {
      sources: [
        Source.asset(assetPath),
        // Where the reader finds its API on AWS (locally the API is on the same origin).
        Source.jsonData('config.json', { apiBaseUrl: props.apiOrigin }),
      ],
      // The build's .br/.gz twins are for the local gateway: CloudFront compresses at the edge (brotli or gzip,
      // by the CachingOptimized policy's Accept-Encoding normalisation) from the plain files.
      exclude: ['*.br', '*.gz'],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      role,
      logGroup: logs,
      memoryLimit: 512,
    });

    const stack = Stack.of(this);
    const qualifier: unknown = this.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT);
    const assetBucket = `cdk-${typeof qualifier === 'string' ? qualifier : DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>`;
    const granted = 'Granted by the CDK BucketDeployment construct, which syncs the reader build';
    Validations.of(role).acknowledge(
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${granted}: it reads the build from the asset bucket, writes and prunes any file name in the site bucket.`,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
        reason: `${granted}: every file of the build (names are content hashes) goes into the site bucket.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${assetBucket}/*]`,
        reason: `${granted}: the build zip is in the CDK bootstrap asset bucket under a content-hash key.`,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${granted}: cloudfront:CreateInvalidation/GetInvalidation, which the construct grants on "*".`,
      },
    );

    // The construct's singleton function is created at stack level with the runtime aws-cdk-lib pins.
    for (const child of stack.node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-L1',
          reason:
            'The BucketDeployment handler runtime is fixed by aws-cdk-lib (Python 3.13) and updated with it; ' +
            'it runs only during deployments.',
        });
      }
    }
  }
}
