import { Annotations, Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReaderSite, placeholderSitePath, webDistPath } from '../../infra/constructs/reader-site.js';
import { constructStack, logicalId } from './helpers.js';

const apiOrigin = 'https://api.example';
const contentOrigin = 'https://content.example';

function prepare(assetPath?: string) {
  const stack = constructStack();
  const site = new ReaderSite(stack, 'Reader', {
    apiOrigin,
    contentOrigin,
    accessLogs: new Bucket(stack, 'Logs'),
    ...(assetPath ? { assetPath } : {}),
  });
  return { stack, site, template: Template.fromStack(stack) };
}

describe('ReaderSite', () => {
  it('serves a private bucket through CloudFront origin access control (no public bucket, no OAI)', () => {
    // Prepare
    const { template } = prepare(placeholderSitePath);
    const oac = new Capture();
    // Act
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: [
          Match.objectLike({
            OriginAccessControlId: { 'Fn::GetAtt': [oac, 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
      }),
    });
    // Assess
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    expect(oac.asString()).toMatch(/^ReaderDistributionOrigin1S3OriginAccessControl/);
    const bucketId = logicalId(template, 'AWS::S3::Bucket', 'ReaderBucket');
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('uses the response-headers policy: strict CSP naming the API and content bucket, HSTS, nosniff', () => {
    // Prepare
    const { template } = prepare(placeholderSitePath);
    const policyRef = new Capture();
    const csp = new Capture();
    // Act
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          ResponseHeadersPolicyId: { Ref: policyRef },
          ViewerProtocolPolicy: 'redirect-to-https',
        }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: csp, Override: true },
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 31536000,
            IncludeSubdomains: true,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      }),
    });
    // Assess
    expect(policyRef.asString()).toBe(
      logicalId(template, 'AWS::CloudFront::ResponseHeadersPolicy', 'ReaderHeaders'),
    );
    const directives = Object.fromEntries(
      csp
        .asString()
        .split('; ')
        .map((d) => {
          const [name, ...values] = d.split(' ');
          return [name, values];
        }),
    );
    expect(directives).toMatchObject({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'connect-src': ["'self'", apiOrigin, contentOrigin],
      'img-src': ["'self'", 'blob:', 'data:', contentOrigin],
      'frame-src': ["'self'", 'blob:'],
      'child-src': ["'self'", 'blob:'],
      'worker-src': ["'self'", 'blob:'],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
    expect(directives['script-src']).not.toContain("'unsafe-inline'");
  });

  it('compresses text at the edge, keeps hashed /assets/* a year (immutable) and has the rest revalidated', () => {
    // Prepare
    const { template } = prepare(placeholderSitePath);
    const defaultPolicy = new Capture();
    const assetPolicy = new Capture();
    // Act
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          Compress: true,
          ResponseHeadersPolicyId: { Ref: defaultPolicy },
        }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/assets/*',
            Compress: true,
            ViewerProtocolPolicy: 'redirect-to-https',
            ResponseHeadersPolicyId: { Ref: assetPolicy },
          }),
        ],
      }),
    });
    // Assess
    const policies = template.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    const cacheControlOf = (id: string) => {
      const config = (policies[id]!.Properties as Record<string, Record<string, unknown>>)
        .ResponseHeadersPolicyConfig as {
        CustomHeadersConfig: { Items: { Header: string; Value: string; Override: boolean }[] };
        SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: string } };
      };
      expect(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).toContain(
        "script-src 'self'",
      );
      return config.CustomHeadersConfig.Items.find((h) => h.Header === 'Cache-Control');
    };
    expect(cacheControlOf(assetPolicy.asString())).toEqual({
      Header: 'Cache-Control',
      Value: 'public, max-age=31536000, immutable',
      Override: true,
    });
    expect(cacheControlOf(defaultPolicy.asString())).toEqual({
      Header: 'Cache-Control',
      Value: 'no-cache',
      Override: true,
    });
  });

  it('sends scripts brotli-compressed at the edge, and leaves the build’s pre-compressed twins out of the bucket', () => {
    // Prepare: the managed CachingOptimized policy keys on (and so negotiates) both gzip and brotli
    const cachingOptimized = '658327ea-f89d-4fab-a63d-7e88639e58f6';
    const { template } = prepare(placeholderSitePath);
    // Act
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    const config = (distribution!.Properties as { DistributionConfig: Record<string, unknown> })
      .DistributionConfig as {
      DefaultCacheBehavior: { CachePolicyId: string; Compress: boolean };
      CacheBehaviors: { PathPattern: string; CachePolicyId: string; Compress: boolean }[];
    };
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    // Assess: every behaviour (the hashed scripts under /assets/* too) compresses with brotli where accepted
    for (const behaviour of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behaviour).toMatchObject({ CachePolicyId: cachingOptimized, Compress: true });
    }
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toContain('/assets/*');
    expect((deployment!.Properties as { Exclude?: string[] }).Exclude).toEqual(['*.br', '*.gz']);
  });

  it('falls back to /index.html for 403 and 404 (client-side routes)', () => {
    // Prepare
    const { template } = prepare(placeholderSitePath);
    // Act / Assess
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
          { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
        ],
        Logging: Match.objectLike({ Prefix: 'cloudfront/reader/' }),
      }),
    });
  });

  it('publishes the build with config.json and invalidates the distribution', () => {
    // Prepare
    const { template } = prepare(placeholderSitePath);
    // Act / Assess
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: logicalId(template, 'AWS::S3::Bucket', 'ReaderBucket') },
      DistributionPaths: ['/*'],
      Prune: true,
    });
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    // The build and the generated config.json ({ apiBaseUrl }).
    expect(deployment?.Properties.SourceObjectKeys).toHaveLength(2);
  });

  it('deploys a placeholder with a synth warning when web/dist is not built', () => {
    // Prepare / Act
    const { stack } = prepare();
    // Assess
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('web/dist is missing'),
    );
    expect(warnings.length).toBe(existsSync(`${webDistPath}/index.html`) ? 0 : 1);
  });
});
