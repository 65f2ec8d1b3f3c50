import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { tableSchema } from '../../functions/adapters/table-schema.js';

/**
 * The item-level actions the library's code uses: single reads and writes, queries on the table and its
 * indexes, and the conditional writes inside TransactWriteItems (IAM checks a transaction's parts as
 * PutItem/UpdateItem/DeleteItem/ConditionCheckItem). No Scan, no table management.
 */
export const tableDataActions = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

/**
 * The single library table, built from functions/adapters/table-schema.ts (the same description local mode
 * creates DynamoDB Local's table from).
 */
export class LibraryTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableSchema.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableSchema.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: tableSchema.ttlAttribute,
      // Library traffic is spiky (term starts, evenings); on-demand needs no capacity planning.
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // The AWS-managed key (aws/dynamodb): encryption at rest whose use shows in CloudTrail, with no key
      // policy to manage and no kms:* grant needed by the functions.
      encryption: TableEncryption.AWS_MANAGED,
      // Loans, licences and patrons are records: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    for (const index of tableSchema.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }
  }

  /**
   * Item reads and writes on the table and on each named index (ARNs listed one by one from the schema, so
   * no `index/*` wildcard is needed).
   */
  grantItemReadWrite(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'LibraryTableItems',
        effect: Effect.ALLOW,
        actions: [...tableDataActions],
        resources: [
          this.table.tableArn,
          ...tableSchema.globalSecondaryIndexes.map(
            (index) => `${this.table.tableArn}/index/${index.indexName}`,
          ),
        ],
      }),
    );
  }
}
