import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { tableSchema } from '../../functions/adapters/table-schema.js';
import type { LambdaFunctionName } from '../../functions/config-variables.js';

/** The item actions of the APIs: each builds the same deps (functions/handlers/api-composition.ts). */
const apiItemActions = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

/**
 * The DynamoDB actions each function's code sends (checked against the code by test/infra/table-access.test.ts).
 * Transactions are checked by IAM part by part, as PutItem/UpdateItem/DeleteItem/ConditionCheckItem, and
 * need no action of their own. Nothing batches, scans or manages the table.
 * - patron API: everything it serves reads, writes and deletes items (sign-in attempts, sessions, reading,
 *   lending); `/health` describes the table.
 * - partner API: the same item actions (partner members' sessions, replay markers, campus hand-offs, SUSHI
 *   credentials and reports), no health probe.
 * - librarian API: the same item actions (audit, uploads, titles, licences, patrons; withdrawing a title ends
 *   its holds, which deletes their markers), no health probe.
 * - sweeper: reads what is due and ends it (updates, deletes, condition checks); it creates only the
 *   notifications of what it ends or what falls due (puts), and settles mail deliveries (updates).
 */
export const tableActions = {
  // Only the patron API serves /health, which describes the table.
  patronApi: [...apiItemActions, 'dynamodb:DescribeTable'],
  partnerApi: apiItemActions,
  librarianApi: apiItemActions,
  sweeper: [
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
} as const satisfies Record<LambdaFunctionName, readonly TableAction[]>;

/** The actions a grant may name: item reads and writes, and the describe of the health probe. */
export type TableAction =
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:DescribeTable'
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:Query'
  | 'dynamodb:UpdateItem';

/** Actions on the table itself, not on its items: granted on the table ARN only, never on the indexes. */
const tableLevelActions: readonly TableAction[] = ['dynamodb:DescribeTable'];

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
   * The given actions (one function's list from `tableActions`): item actions on the table and on each named
   * index (ARNs listed one by one from the schema, so no `index/*` wildcard is needed), table-level ones on
   * the table only.
   */
  grant(grantee: IGrantable, actions: readonly TableAction[]): void {
    const itemActions = actions.filter((a) => !tableLevelActions.includes(a));
    const onTable = actions.filter((a) => tableLevelActions.includes(a));
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'LibraryTableItems',
        effect: Effect.ALLOW,
        actions: [...itemActions],
        resources: [
          this.table.tableArn,
          ...tableSchema.globalSecondaryIndexes.map(
            (index) => `${this.table.tableArn}/index/${index.indexName}`,
          ),
        ],
      }),
    );
    if (onTable.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'LibraryTableDescribe',
          effect: Effect.ALLOW,
          actions: [...onTable],
          resources: [this.table.tableArn],
        }),
      );
    }
  }
}
