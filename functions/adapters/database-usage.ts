import type { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DatabaseUsageRecorder, DatabaseUse } from '../domain/ports';
import { databaseUsageKeys } from './keys';
import { indexes } from './table-schema';

/**
 * Uses of partner databases through `/go`, COUNTER-style: one daily counter per partner and host, with the
 * database's name. Only counts are kept, never who went. A failure to count is logged and swallowed: statistics
 * must not cost a patron their database.
 */
export class DynamoDatabaseUsage implements DatabaseUsageRecorder {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly logger?: Logger,
  ) {}

  async record({ partnerId, database, host, at }: DatabaseUse): Promise<void> {
    const day = at.toISOString().slice(0, 10);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: databaseUsageKeys.counter(partnerId, host, day),
          UpdateExpression: `ADD #count :one SET ${indexes.gsi1.partitionKey} = :month, ${indexes.gsi1.sortKey} = :sort, partnerId = :partner, #database = :database, host = :host, #day = :day`,
          ExpressionAttributeNames: { '#count': 'count', '#day': 'day', '#database': 'database' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':month': databaseUsageKeys.monthPartition(day),
            ':sort': databaseUsageKeys.monthSort(partnerId, host, day),
            ':partner': partnerId,
            ':database': database,
            ':host': host,
            ':day': day,
          },
        }),
      );
    } catch (error) {
      this.logger?.warn('database use not recorded', { partnerId, host, error: error as Error });
    }
  }

  /** How often a host of a partner was reached on a day (reports; tests). */
  async count(partnerId: string, host: string, day: string): Promise<number> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: databaseUsageKeys.counter(partnerId, host, day),
        ConsistentRead: true,
      }),
    );
    return typeof Item?.count === 'number' ? Item.count : 0;
  }
}
