import { Capture, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ContentBucket } from '../../infra/constructs/content-bucket.js';
import { LibraryTable } from '../../infra/constructs/library-table.js';
import { Sweeper } from '../../infra/constructs/sweeper.js';
import { constructStack, logicalId, roleStatements } from './helpers.js';

function prepare() {
  const stack = constructStack();
  const table = new LibraryTable(stack, 'Library');
  new Sweeper(stack, 'Sweeper', { table });
  return Template.fromStack(stack);
}

describe('Sweeper', () => {
  it('runs every 5 minutes: the schedule targets the sweeper function', () => {
    // Prepare
    const template = prepare();
    const target = new Capture();
    // Act
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: target,
          Id: 'Target0',
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
        },
      ],
    });
    // Assess
    const sweeperId = logicalId(template, 'AWS::Lambda::Function', 'SweeperFunction');
    expect(target.asObject()).toEqual({ 'Fn::GetAtt': [sweeperId, 'Arn'] });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [sweeperId, 'Arn'] },
    });
  });

  it('runs on arm64 without layers (no native code), newest Node.js, with only the table in its environment', () => {
    // Prepare
    const template = prepare();
    // Act
    const fn = template.toJSON().Resources[logicalId(template, 'AWS::Lambda::Function', 'SweeperFunction')];
    // Assess
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    expect(fn.Properties.Layers).toBeUndefined();
    expect(fn.Properties.Environment.Variables).toEqual({
      MODE: 'aws',
      NODE_OPTIONS: '--enable-source-maps',
      TABLE_NAME: { Ref: logicalId(template, 'AWS::DynamoDB::Table', 'LibraryTable') },
      LOG_LEVEL: 'INFO',
    });
  });

  it('may write its own logs and read, put (notifications), update and delete table items, nothing else (no batch, no bucket, no secret, no mail without a sender, no wildcard)', () => {
    // Prepare
    const template = prepare();
    // Act
    const statements = roleStatements(template, 'SweeperRole');
    // Assess
    expect(statements.map((s) => s.Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      [
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/"\*"|s3:|secretsmanager:|ses:/);
  });

  it('given the content bucket: the bucket in its environment, PutObject under search/* only (catalogue snapshots), more memory for the build', () => {
    // Prepare
    const stack = constructStack();
    const table = new LibraryTable(stack, 'Library');
    const content = new ContentBucket(stack, 'Content', { accessLogs: new Bucket(stack, 'Logs') });
    new Sweeper(stack, 'Sweeper', { table, content });
    const template = Template.fromStack(stack);
    // Act
    const fn = template.toJSON().Resources[logicalId(template, 'AWS::Lambda::Function', 'SweeperFunction')];
    const statements = roleStatements(template, 'SweeperRole');
    // Assess
    expect(fn.Properties.Environment.Variables.CONTENT_BUCKET).toBeDefined();
    expect(fn.Properties.MemorySize).toBe(1024);
    const s3 = statements.filter((s) => JSON.stringify(s.Action).includes('s3:'));
    expect(s3).toEqual([
      {
        Sid: 'WriteCatalogueSnapshots',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: {
          'Fn::Join': [
            '',
            [{ 'Fn::GetAtt': [logicalId(template, 'AWS::S3::Bucket', 'ContentBucket'), 'Arn'] }, '/search/*'],
          ],
        },
      },
    ]);
  });
});
