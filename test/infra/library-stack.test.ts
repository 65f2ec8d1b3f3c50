import { App, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/config.js';
import { lambdaFunctions, requiredOnAws, type LambdaFunctionName } from '../../functions/config-variables.js';
import { buildApp } from '../../infra/app.js';
import type { LibraryStack } from '../../infra/library-stack.js';
import { actionsOf, logicalId, type Statement } from './helpers.js';

/** Where each function of functions/config-variables.ts sits in the stack (logical id prefix). */
const functionIds = {
  patronApi: 'ApiPatronApiFunction',
  partnerApi: 'ApiPartnerApiFunction',
  librarianApi: 'ApiLibrarianApiFunction',
  sweeper: 'SweeperFunction',
} as const satisfies Record<LambdaFunctionName, string>;

/** A deployed value for each CloudFormation reference or join, as Lambda would see it (never empty). */
const deployed = (value: unknown): string =>
  typeof value === 'string' ? value : `deployed-${JSON.stringify(value)}`;

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingResources: { constructPath?: string }[] }[];
    suppressedViolations?: { ruleName: string; reason?: string }[];
  }[];
}

/** The whole app as `cdk synth` builds it, cdk-nag included (bundling skipped; synth.test.ts bundles). */
describe('LibraryStack with cdk-nag AwsSolutions', () => {
  let outdir: string;
  let app: App;
  let stack: LibraryStack;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'pustaka-nag-'));
    app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    ({ stack } = buildApp(app));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('reports no unacknowledged AwsSolutions error or warning', () => {
    // Prepare
    const checks = new AwsSolutionsChecks();
    // Act
    const report = checks.validateScope(app);
    // Assess
    expect(
      report.violations.map(
        (v) => `${v.severity} ${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('synthesizes through the Validations plugin with an empty AwsSolutions report', () => {
    // Prepare / Act (synth throws when a validation plugin reports an error)
    const assembly = app.synth();
    // Assess
    const report = JSON.parse(
      readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });

  it('gives every acknowledged rule a written reason', () => {
    // Prepare
    const acknowledged: { path: string; id: string; reason: unknown }[] = [];
    // Act
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          acknowledged.push({ path: construct.node.path, id, reason });
        }
      }
    }
    // Assess
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged)
      expect(typeof ack.reason === 'string' && ack.reason.length > 40, ack.id).toBe(true);
    expect(acknowledged.map((a) => a.id.replace(/^[A-Za-z]+::/, ''))).not.toContain('AwsSolutions-IAM4');
  });

  it('fails synth when a resource breaks a rule (the checks really run)', () => {
    // Prepare
    const broken = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const built = buildApp(broken);
    // Act: a bucket without access logs or TLS-only policy
    new Bucket(built.stack, 'Unlogged');
    // Assess
    expect(() => broken.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('has no IAM statement with a "*" action, and "*" resources only where CloudFront invalidation needs them', () => {
    // Prepare
    const template = Template.fromStack(stack);
    // Act
    const statements = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).map((s) => ({ id, ...s })),
    );
    // Assess
    expect(statements.flatMap((s) => actionsOf(s)).filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    const starResources = statements.filter(
      (s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')),
    );
    expect(starResources.map((s) => [s.id.replace(/[0-9A-F]{8}$/, ''), actionsOf(s).sort()])).toEqual([
      ['ReaderDeploymentRoleDefaultPolicy', ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']],
    ]);
  });

  it("gives the pseudonym secret to the patron API and the sweeper (which sign mail links with a key derived from it) and the partner API (partner members' ids) only", () => {
    // Prepare
    const template = Template.fromStack(stack);
    const pseudonymSecret = { Ref: Match.stringLikeRegexp('^PseudonymSecret') };
    // Act / Assess
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Environment: { Variables: Match.objectLike({ PSEUDONYM_SECRET_ARN: pseudonymSecret }) } },
      3,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Pustaka sweeper'),
      Environment: { Variables: Match.objectLike({ PSEUDONYM_SECRET_ARN: pseudonymSecret }) },
    });
    for (const api of ['patron', 'partner']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(`^Pustaka ${api} API`),
        Environment: { Variables: Match.objectLike({ PSEUDONYM_SECRET_ARN: pseudonymSecret }) },
      });
    }
  });

  it('wires the reader origin into the functions and the bucket CORS, and outputs the API and site URLs', () => {
    // Prepare
    const template = Template.fromStack(stack);
    const siteOrigin = {
      'Fn::Join': [
        '',
        ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReaderDistribution'), 'DomainName'] }],
      ],
    };
    // Act / Assess
    template.hasOutput('ApiUrl', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HttpApi'), 'ApiEndpoint'] },
    });
    template.hasOutput('SiteUrl', { Value: siteOrigin });
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Environment: { Variables: Match.objectLike({ WEB_ORIGIN: siteOrigin }) } },
      // The three APIs (CORS) and the sweeper (the app's links in the library's mails).
      4,
    );
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: [siteOrigin] })] },
    });
  });

  it.each(lambdaFunctions)(
    'sets on the %s function every variable functions/config-variables.ts requires of it, so its config loads',
    (fn) => {
      // Prepare
      const template = Template.fromStack(stack);
      const variables = new Capture();
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: variables },
        Role: {
          'Fn::GetAtt': [Match.stringLikeRegexp(`^${functionIds[fn].replace(/Function$/, 'Role')}`), 'Arn'],
        },
      });
      const env = variables.asObject();
      // Act
      const config = loadConfig(
        {
          ...Object.fromEntries(
            Object.entries(env).map(([name, value]) => [
              name,
              // The API's URL is a token until deployed; the config checks it is a URL.
              name === 'PUBLIC_API_URL' && typeof value !== 'string'
                ? 'https://abc123.execute-api.ap-southeast-3.amazonaws.com'
                : deployed(value),
            ]),
          ),
          AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'secret',
        },
        fn,
      );
      // Assess
      expect(env.MODE).toBe('aws');
      for (const name of requiredOnAws[fn]) {
        expect(env[name], name).toBeDefined();
        expect(env[name], name).not.toBe('');
      }
      expect(env.WEB_ORIGIN ?? 'unset').not.toBe('*');
      expect(config.MODE).toBe('aws');
    },
  );

  it('has no other function that reads the configuration (each is in functions/config-variables.ts)', () => {
    // Prepare
    const template = Template.fromStack(stack);
    // Act
    const reading = Object.keys(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: Match.objectLike({ MODE: 'aws' }) } },
      }),
    );
    // Assess
    expect(reading.sort()).toEqual(
      lambdaFunctions.map((fn) => logicalId(template, 'AWS::Lambda::Function', functionIds[fn])).sort(),
    );
  });

  it('would be refused at start by a function whose required variable the stack left out', () => {
    // Prepare: the sweeper's environment as synthesised, given to a function that needs more
    const template = Template.fromStack(stack);
    const sweeper =
      template.toJSON().Resources[logicalId(template, 'AWS::Lambda::Function', functionIds.sweeper)];
    const env = Object.fromEntries(
      Object.entries(sweeper.Properties.Environment.Variables as Record<string, unknown>).map(([k, v]) => [
        k,
        deployed(v),
      ]),
    );
    // Act / Assess: the check above is not vacuous
    expect(() =>
      loadConfig({ ...env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' }, 'patronApi'),
    ).toThrow(ConfigError);
  });
});
