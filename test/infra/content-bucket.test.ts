import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { objectKeys } from '../../functions/adapters/keys.js';
import { ContentBucket, contentPrefix, incomingPrefix } from '../../infra/constructs/content-bucket.js';
import { actionsOf, constructStack, logicalId, roleStatements } from './helpers.js';

function prepare() {
  const stack = constructStack();
  const accessLogs = new Bucket(stack, 'AccessLogs');
  const content = new ContentBucket(stack, 'Content', { accessLogs });
  return { stack, content };
}

const objectsUnder = (bucketId: string, prefix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${prefix}*`]],
});

describe('ContentBucket', () => {
  it('takes its prefixes from the object keys module', () => {
    expect(objectKeys.content('t1', 'epub').startsWith(contentPrefix)).toBe(true);
    expect(objectKeys.incoming('u1').startsWith(incomingPrefix)).toBe(true);
    expect([contentPrefix, incomingPrefix]).toEqual(['content/', 'incoming/']);
  });

  it('blocks all public access, encrypts at rest, keeps versions and logs access', () => {
    // Prepare
    const { stack } = prepare();
    // Act
    const template = Template.fromStack(stack);
    // Assess
    const logBucketId = logicalId(template, 'AWS::S3::Bucket', 'AccessLogs');
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: 's3/content/' },
      }),
    });
  });

  it('denies every request that does not use TLS', () => {
    // Prepare
    const { stack } = prepare();
    // Act
    const template = Template.fromStack(stack);
    // Assess
    const bucketId = logicalId(template, 'AWS::S3::Bucket', 'ContentBucket');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, objectsUnder(bucketId, '')],
          },
        ]),
      },
    });
  });

  it('aborts stale multipart uploads, expires unvalidated uploads, old versions and old catalogue snapshots', () => {
    // Prepare
    const { stack } = prepare();
    // Act
    const template = Template.fromStack(stack);
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'incoming/', ExpirationInDays: 2, Status: 'Enabled' }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'search/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('allows the reader origin GET/HEAD/PUT with Range and exposes the range and ETag headers', () => {
    // Prepare
    const { stack, content } = prepare();
    // Act
    content.allowReaderOrigin('https://reader.example');
    const template = Template.fromStack(stack);
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedOrigins: ['https://reader.example'],
            AllowedMethods: ['GET', 'HEAD', 'PUT'],
            AllowedHeaders: Match.arrayWith(['Range']),
            ExposedHeaders: ['Accept-Ranges', 'Content-Range', 'Content-Length', 'ETag'],
          }),
        ],
      },
    });
  });

  it('lets the patron API read objects under content/* only (prefix wildcard: keys are per title)', () => {
    // Prepare
    const { stack, content } = prepare();
    const role = new Role(stack, 'Patron', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    // Act
    content.grantReadContent(role);
    const template = Template.fromStack(stack);
    // Assess
    const bucketId = logicalId(template, 'AWS::S3::Bucket', 'ContentBucket');
    expect(roleStatements(template, 'Patron')).toEqual([
      {
        Sid: 'ReadValidatedContent',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: objectsUnder(bucketId, 'content/'),
      },
    ]);
  });

  it('lets the librarian API upload into incoming/* and publish into content/* (prefix wildcards: keys are per upload/title)', () => {
    // Prepare
    const { stack, content } = prepare();
    const role = new Role(stack, 'Librarian', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    // Act
    content.grantUploadAndPublish(role);
    const template = Template.fromStack(stack);
    // Assess
    const bucketId = logicalId(template, 'AWS::S3::Bucket', 'ContentBucket');
    const statements = roleStatements(template, 'Librarian');
    expect(statements.map((s) => [s.Sid, actionsOf(s).sort(), s.Resource])).toEqual([
      [
        'ReceiveUploads',
        [
          's3:AbortMultipartUpload',
          's3:DeleteObject',
          's3:GetObject',
          's3:ListMultipartUploadParts',
          's3:PutObject',
        ],
        objectsUnder(bucketId, 'incoming/'),
      ],
      [
        'PublishValidatedContent',
        ['s3:AbortMultipartUpload', 's3:PutObject'],
        objectsUnder(bucketId, 'content/'),
      ],
    ]);
  });
});
