import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { tableSchema } from '../../functions/adapters/table-schema.js';
import { LibraryTable } from '../../infra/constructs/library-table.js';
import { actionsOf, constructStack, logicalId, roleStatements } from './helpers.js';

describe('LibraryTable', () => {
  it('is built from the shared table schema: keys, indexes and TTL attribute', () => {
    // Prepare
    const stack = constructStack();
    // Act
    new LibraryTable(stack, 'Library');
    const template = Template.fromStack(stack);
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: tableSchema.globalSecondaryIndexes.map((index) =>
        Match.objectLike({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ),
      TimeToLiveSpecification: { AttributeName: tableSchema.ttlAttribute, Enabled: true },
    });
  });

  it('has point-in-time recovery, deletion protection, on-demand billing, encryption and is retained', () => {
    // Prepare
    const stack = constructStack();
    // Act
    new LibraryTable(stack, 'Library');
    const template = Template.fromStack(stack);
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        BillingMode: 'PAY_PER_REQUEST',
        // SSEEnabled without a KMS key id: the AWS-managed aws/dynamodb key.
        SSESpecification: { SSEEnabled: true },
      }),
    });
  });

  it('grants item actions on the table and its named indexes only, DescribeTable on the table alone (no wildcard)', () => {
    // Prepare
    const stack = constructStack();
    const library = new LibraryTable(stack, 'Library');
    const role = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    // Act
    library.grant(role, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable']);
    const template = Template.fromStack(stack);
    // Assess
    const tableArn = { 'Fn::GetAtt': [logicalId(template, 'AWS::DynamoDB::Table', 'LibraryTable'), 'Arn'] };
    expect(roleStatements(template, 'Reader')).toEqual([
      {
        Sid: 'LibraryTableItems',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [
          tableArn,
          ...tableSchema.globalSecondaryIndexes.map((index) => ({
            'Fn::Join': ['', [tableArn, `/index/${index.indexName}`]],
          })),
        ],
      },
      { Sid: 'LibraryTableDescribe', Effect: 'Allow', Action: 'dynamodb:DescribeTable', Resource: tableArn },
    ]);
  });

  it('adds no DescribeTable statement when the function does not probe the table', () => {
    // Prepare
    const stack = constructStack();
    const library = new LibraryTable(stack, 'Library');
    const role = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    // Act
    library.grant(role, ['dynamodb:GetItem']);
    const template = Template.fromStack(stack);
    // Assess
    const statements = roleStatements(template, 'Reader');
    expect(statements.map((s) => [s.Sid, actionsOf(s)])).toEqual([
      ['LibraryTableItems', ['dynamodb:GetItem']],
    ]);
  });
});
