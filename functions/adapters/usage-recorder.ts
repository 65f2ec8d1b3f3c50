import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { UsageMetric, UsageRecorder } from '../domain/lending-ports';
import { usageKeys } from './keys';
import { indexes } from './table-schema';

/**
 * COUNTER-style usage: one daily counter per title and metric (Total_Item_Requests for issued links,
 * Limit_Exceeded and No_License for turnaways). Only counts are kept, never who asked. A failure to count
 * is logged and swallowed: statistics must not cost a patron their book.
 */
export class DynamoUsageRecorder implements UsageRecorder {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly logger?: Logger,
  ) {}

  async record({ titleId, metric, at }: { titleId: string; metric: UsageMetric; at: Date }): Promise<void> {
    const day = at.toISOString().slice(0, 10);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: usageKeys.counter(titleId, day, metric),
          UpdateExpression: `ADD #count :one SET ${indexes.gsi1.partitionKey} = :month, ${indexes.gsi1.sortKey} = :sort, titleId = :title, #day = :day, metric = :metric`,
          ExpressionAttributeNames: { '#count': 'count', '#day': 'day' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':month': usageKeys.monthPartition(day),
            ':sort': usageKeys.monthSort(titleId, day, metric),
            ':title': titleId,
            ':day': day,
            ':metric': metric,
          },
        }),
      );
    } catch (error) {
      this.logger?.warn('usage event not recorded', { titleId, metric, error: error as Error });
    }
  }
}
