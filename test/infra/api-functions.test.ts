import { Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { ApiFunctions } from '../../infra/constructs/api-functions.js';
import { ContentBucket } from '../../infra/constructs/content-bucket.js';
import { libraryRuntime } from '../../infra/constructs/library-function.js';
import { LibraryTable } from '../../infra/constructs/library-table.js';
import { PseudonymSecret } from '../../infra/constructs/pseudonym-secret.js';
import { SigningKeys } from '../../infra/constructs/signing-keys.js';
import { actionsOf, constructStack, logicalId, roleStatements, type Statement } from './helpers.js';

/** constructStack() names its stack "Test". */
const stackName = 'Test';

function prepare() {
  const stack = constructStack();
  const table = new LibraryTable(stack, 'Library');
  const content = new ContentBucket(stack, 'Content', { accessLogs: new Bucket(stack, 'Logs') });
  const signingKeys = new SigningKeys(stack, 'SigningKeys');
  const pseudonymSecret = new PseudonymSecret(stack, 'PseudonymSecret');
  new ApiFunctions(stack, 'Api', {
    table,
    content,
    signingKeys,
    pseudonymSecret,
    webOrigin: 'https://reader.example',
    tokenIssuer: 'https://api.example',
    publicApiUrl: 'https://api.example',
  });
  const template = Template.fromStack(stack);
  return {
    template,
    ids: {
      table: logicalId(template, 'AWS::DynamoDB::Table', 'LibraryTable'),
      bucket: logicalId(template, 'AWS::S3::Bucket', 'ContentBucket'),
      secret: logicalId(template, 'AWS::SecretsManager::Secret', 'SigningKeys'),
      pseudonymSecret: logicalId(template, 'AWS::SecretsManager::Secret', 'PseudonymSecret'),
    },
  };
}

function functionNamed(template: Template, prefix: string) {
  const id = logicalId(template, 'AWS::Lambda::Function', prefix);
  const resource = template.toJSON().Resources[id] as { Properties: Record<string, unknown> };
  return resource.Properties as {
    Runtime: string;
    Architectures: string[];
    Handler: string;
    Environment: { Variables: Record<string, unknown> };
    Role: unknown;
    LoggingConfig: unknown;
    Layers?: unknown[];
  };
}

/** The partners' OIDC client secrets: names under this stack's prefix, any Secrets Manager suffix. */
const partnerSecretsArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':secretsmanager:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:secret:pustaka/${stackName}/partner-oidc/*`,
    ],
  ],
};

/** Every Action and Resource in the statements, to check for `*`. */
const wildcards = (statements: Statement[]) =>
  statements.flatMap((s) => [
    ...actionsOf(s).filter((a) => a === '*' || a.endsWith(':*')),
    ...(s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')) ? ['*'] : []),
  ]);

/** A function's own log group: the only logs it may write to. */
const ownLogs = (template: Template, fn: string) => ({
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: { 'Fn::GetAtt': [logicalId(template, 'AWS::Logs::LogGroup', `${fn}Logs`), 'Arn'] },
});

/** The APIs' item actions on the table and each of its indexes, named one by one. */
function tableItems(table: string) {
  const tableArn = { 'Fn::GetAtt': [table, 'Arn'] };
  return {
    Sid: 'LibraryTableItems',
    Effect: 'Allow',
    Action: [
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ],
    Resource: [
      tableArn,
      { 'Fn::Join': ['', [tableArn, '/index/gsi1']] },
      { 'Fn::Join': ['', [tableArn, '/index/gsi2']] },
      { 'Fn::Join': ['', [tableArn, '/index/gsi3']] },
    ],
  };
}

const secretRead = (sid: string, resource: unknown) => ({
  Sid: sid,
  Effect: 'Allow',
  Action: 'secretsmanager:GetSecretValue',
  Resource: resource,
});

describe('ApiFunctions', () => {
  it('runs the three functions with the newest Node.js runtime aws-cdk-lib offers, ESM bundle entry', () => {
    // Prepare
    const { template } = prepare();
    const newestNode = Runtime.ALL.filter((r) => /^nodejs\d+\.x$/.test(r.name))
      .map((r) => r.name)
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .at(-1);
    // Act
    const fns = [
      functionNamed(template, 'ApiPatronApiFunction'),
      functionNamed(template, 'ApiPartnerApiFunction'),
      functionNamed(template, 'ApiLibrarianApiFunction'),
    ];
    // Assess
    expect(libraryRuntime.name).toBe(newestNode);
    for (const fn of fns) {
      expect(fn.Runtime).toBe(newestNode);
      expect(fn.Handler).toBe('index.handler');
      expect(fn.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
    }
  });

  it('gives the librarian API alone the native-modules layer, on x86_64 like its binaries; the patron and partner APIs stay arm64 without it', () => {
    // Prepare
    const { template } = prepare();
    // Act
    const layerId = logicalId(template, 'AWS::Lambda::LayerVersion', 'ApiNativeModules');
    const layer = template.toJSON().Resources[layerId] as { Properties: Record<string, unknown> };
    const librarian = functionNamed(template, 'ApiLibrarianApiFunction');
    const others = [
      functionNamed(template, 'ApiPatronApiFunction'),
      functionNamed(template, 'ApiPartnerApiFunction'),
    ];
    // Assess
    expect(layer.Properties).toMatchObject({
      CompatibleRuntimes: [libraryRuntime.name],
      CompatibleArchitectures: ['x86_64'],
    });
    expect(librarian.Layers).toEqual([{ Ref: layerId }]);
    expect(librarian.Architectures).toEqual(['x86_64']);
    for (const fn of others) {
      expect(fn.Layers).toBeUndefined();
      expect(fn.Architectures).toEqual(['arm64']);
    }
  });

  it('gives the three functions exactly the configuration functions/config.ts reads on AWS, and no endpoints; the pseudonym secret to the patron and partner APIs, the partner secrets prefix to the partner and librarian APIs', () => {
    // Prepare
    const { template, ids } = prepare();
    // Act
    const patronEnv = functionNamed(template, 'ApiPatronApiFunction').Environment.Variables;
    const partnerEnv = functionNamed(template, 'ApiPartnerApiFunction').Environment.Variables;
    const librarianEnv = functionNamed(template, 'ApiLibrarianApiFunction').Environment.Variables;
    // Assess
    const pseudonyms = { PSEUDONYM_SECRET_ARN: { Ref: ids.pseudonymSecret } };
    const partnerSecrets = { PARTNER_SECRETS_PREFIX: `pustaka/${stackName}/partner-oidc/` };
    for (const [env, extra] of [
      [patronEnv, pseudonyms],
      [partnerEnv, { ...pseudonyms, ...partnerSecrets }],
      [librarianEnv, partnerSecrets],
    ] as const) {
      expect(env).toEqual({
        ...extra,
        MODE: 'aws',
        NODE_OPTIONS: '--enable-source-maps',
        TABLE_NAME: { Ref: ids.table },
        CONTENT_BUCKET: {
          'Fn::Join': ['', ['test-content-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
        },
        LINK_TTL_SECONDS: '300',
        TOKEN_ISSUER: 'https://api.example',
        TOKEN_AUDIENCE: 'pustaka-api',
        SIGNING_KEYS_SECRET_ARN: { Ref: ids.secret },
        WEB_ORIGIN: 'https://reader.example',
        PUBLIC_API_URL: 'https://api.example',
        LOG_LEVEL: 'INFO',
      });
      expect(Object.keys(env)).not.toContain('DYNAMODB_ENDPOINT');
      expect(Object.keys(env)).not.toContain('S3_ENDPOINT');
    }
  });

  it('gives each function its own role with no managed policies', () => {
    // Prepare
    const { template } = prepare();
    // Act
    const roles = Object.entries(template.findResources('AWS::IAM::Role'));
    // Assess
    expect(roles.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^ApiLibrarianApiRole/),
      expect.stringMatching(/^ApiPartnerApiRole/),
      expect.stringMatching(/^ApiPatronApiRole/),
    ]);
    for (const [, role] of roles) expect(role.Properties).not.toHaveProperty('ManagedPolicyArns');
  });

  it('patron API policy: own log group, the table items it uses, DescribeTable for /health, GetObject on content/* and search/* (prefix wildcards: keys per title and catalogue snapshot), the key and pseudonym secrets, and no partner secret', () => {
    // Prepare
    const { template, ids } = prepare();
    // Act
    const statements = roleStatements(template, 'ApiPatronApiRole');
    // Assess
    expect(statements).toEqual([
      ownLogs(template, 'ApiPatronApi'),
      // BatchGetItem reads the titles changed since the catalogue snapshot; no BatchWriteItem/Scan.
      tableItems(ids.table),
      {
        Sid: 'LibraryTableDescribe',
        Effect: 'Allow',
        Action: 'dynamodb:DescribeTable',
        Resource: { 'Fn::GetAtt': [ids.table, 'Arn'] },
      },
      {
        Sid: 'ReadValidatedContent',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/content/*']] },
      },
      {
        Sid: 'ReadCatalogueSnapshots',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/search/*']] },
      },
      secretRead('ReadSigningKeySeeds', { Ref: ids.secret }),
      secretRead('ReadPseudonymSecret', { Ref: ids.pseudonymSecret }),
    ]);
    expect(wildcards(statements)).toEqual([]);
  });

  it("partner API policy: own log group, the table items it uses (no health probe), the key and pseudonym secrets, reading the partners' OIDC client secrets; no content bucket", () => {
    // Prepare
    const { template, ids } = prepare();
    // Act
    const statements = roleStatements(template, 'ApiPartnerApiRole');
    // Assess
    expect(statements).toEqual([
      ownLogs(template, 'ApiPartnerApi'),
      tableItems(ids.table),
      secretRead('ReadSigningKeySeeds', { Ref: ids.secret }),
      secretRead('ReadPseudonymSecret', { Ref: ids.pseudonymSecret }),
      secretRead('ReadPartnerClientSecrets', partnerSecretsArn),
    ]);
    expect(wildcards(statements)).toEqual([]);
  });

  it('librarian API policy: the table items it uses (no health probe), uploads into incoming/* and publishing into content/*, reading catalogue snapshots under search/* (prefix wildcards: keys per upload/title/build)', () => {
    // Prepare
    const { template, ids } = prepare();
    // Act
    const statements = roleStatements(template, 'ApiLibrarianApiRole');
    // Assess
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid ?? 'logs', s]));
    expect(Object.keys(bySid)).toEqual([
      'logs',
      'LibraryTableItems',
      'ReceiveUploads',
      'PublishValidatedContent',
      'ReadCatalogueSnapshots',
      'ReadSigningKeySeeds',
      'WritePartnerClientSecrets',
    ]);
    const objects = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, `/${prefix}*`]],
    });
    expect(bySid.LibraryTableItems).toEqual(tableItems(ids.table));
    expect(bySid.ReceiveUploads).toMatchObject({ Resource: objects('incoming/') });
    expect(actionsOf(bySid.ReceiveUploads!).sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListMultipartUploadParts',
      's3:PutObject',
    ]);
    expect(bySid.ReadCatalogueSnapshots).toMatchObject({
      Resource: objects('search/'),
      Action: 's3:GetObject',
    });
    expect(bySid.PublishValidatedContent).toMatchObject({ Resource: objects('content/') });
    expect(actionsOf(bySid.PublishValidatedContent!).sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:PutObject',
    ]);
    expect(bySid.ReadSigningKeySeeds).toMatchObject({ Resource: { Ref: ids.secret } });
    // Campus sign-in: the librarian API stores a partner's OIDC client secret; it never reads one back.
    expect(bySid.WritePartnerClientSecrets).toMatchObject({ Resource: partnerSecretsArn });
    expect(actionsOf(bySid.WritePartnerClientSecrets!)).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
    ]);
    expect(wildcards(statements)).toEqual([]);
  });

  it('keeps logs in a log group per function with a retention period', () => {
    // Prepare
    const { template } = prepare();
    // Act
    const groups = template.findResources('AWS::Logs::LogGroup');
    // Assess
    expect(Object.keys(groups)).toHaveLength(3);
    for (const group of Object.values(groups))
      expect(group.Properties).toMatchObject({ RetentionInDays: 30 });
  });
});
