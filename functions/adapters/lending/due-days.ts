import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dueEntryOf, indexQuery, sweeperWatermarkEntity, type DueEntry } from '../entities';
import { isConditionalCheckFailure } from '../dynamo-item';
import { dueKeys } from '../keys';
import type { LendingReads } from './reads';

/** How far back the very first sweep looks. */
const firstSweepLookbackDays = 30;
const dayMs = 86_400_000;

export const dayOf = (at: Date) => at.toISOString().slice(0, 10);
export const nextDay = (day: string) => dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + dayMs));

/**
 * The due partitions (one gsi1 partition per UTC day of loan ends, reservation deadlines and ends of
 * suspensions), walked day by day from the sweeper's watermark: the first day that may still hold something.
 * The sweeper and the cancelling of a withdrawn title's reserved holds both walk them this way.
 */
export class DueDays {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly reads: LendingReads,
  ) {}

  /** Where a walk starts: the watermark, or (before any sweep finished a day) a fixed look back. */
  async firstDay(now: Date): Promise<string> {
    const mark = sweeperWatermarkEntity.fromMaybe(await this.reads.getItem(sweeperWatermarkEntity.key()));
    return mark?.day ?? dayOf(new Date(now.getTime() - firstSweepLookbackDays * dayMs));
  }

  /**
   * Each day from the watermark to `lastDay`, with what is stored in its due partition: everything, or only
   * what falls due up to `upTo` (an ISO instant), narrowed by a filter.
   */
  async *walk(options: {
    now: Date;
    lastDay: string;
    upTo?: string;
    filter?: string;
    values?: Record<string, unknown>;
  }): AsyncGenerator<{ day: string; entries: DueEntry[] }> {
    for (let day = await this.firstDay(options.now); day <= options.lastDay; day = nextDay(day)) {
      const items = await this.reads.queryAll(
        indexQuery('gsi1', dueKeys.partition(day), {
          ...(options.upTo ? { sort: { '<=': dueKeys.upTo(options.upTo) } } : {}),
          ...(options.filter ? { filter: options.filter } : {}),
          ...(options.values ? { values: options.values } : {}),
        }),
      );
      yield { day, entries: items.map(dueEntryOf) };
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
