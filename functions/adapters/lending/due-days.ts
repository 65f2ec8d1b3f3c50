import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { indexQuery, sweeperWatermarkEntity, type SortCondition } from '../entities';
import { isConditionalCheckFailure } from '../dynamo-item';
import { dueKeys } from '../keys';
import { queryAll } from './reads';
import { indexes } from '../table-schema';

/** How far back the very first sweep looks. */
const firstSweepLookbackDays = 30;
const dayMs = 86_400_000;

export const dayOf = (at: Date) => at.toISOString().slice(0, 10);
export const nextDay = (day: string) => dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + dayMs));

/**
 * The due partitions (one gsi1 partition per UTC day of loan ends, reservation deadlines and ends of
 * suspensions), walked day by day from the sweeper's watermark: the first day that may still hold something.
 * The sweeper, the cancelling of a withdrawn title's reserved holds and the time-based notices (which start
 * today and look ahead) all walk them this way.
 */
export class DueDays {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Where a walk starts: the watermark, or (before any sweep finished a day) a fixed look back. */
  async firstDay(now: Date): Promise<string> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: sweeperWatermarkEntity.key(), ConsistentRead: true }),
    );
    const mark = sweeperWatermarkEntity.fromMaybe(Item);
    return mark?.day ?? dayOf(new Date(now.getTime() - firstSweepLookbackDays * dayMs));
  }

  /**
   * Each day from `from` (by default the watermark) to `lastDay`, with the items stored in its due partition:
   * all of them, or those whose sort key meets `sort`, narrowed by a filter.
   */
  async *walk(options: {
    now: Date;
    from?: string;
    lastDay: string;
    sort?: SortCondition;
    filter?: string;
    values?: Record<string, unknown>;
  }): AsyncGenerator<{ day: string; items: Record<string, unknown>[] }> {
    for (
      let day = options.from ?? (await this.firstDay(options.now));
      day <= options.lastDay;
      day = nextDay(day)
    ) {
      const query = indexQuery(indexes.gsi1, dueKeys.partition(day), {
        ...(options.sort ? { sort: options.sort } : {}),
        ...(options.filter ? { filter: options.filter } : {}),
        ...(options.values ? { values: options.values } : {}),
      });
      const items = await queryAll(this.documents, this.tableName, query);
      yield { day, items };
    }
  }

  /** Moves the watermark forward to `day` (never back: a slower sweep that finishes later cannot undo it). */
  async advanceWatermark(day: string): Promise<void> {
    await this.documents
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sweeperWatermarkEntity.key(),
          UpdateExpression: 'SET #day = :next',
          ConditionExpression: 'attribute_not_exists(#day) OR #day < :next',
          ExpressionAttributeNames: { '#day': 'day' },
          ExpressionAttributeValues: { ':next': day },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailure(error)) throw error;
      });
  }
}
