import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReadingSlots } from '../domain/partner-access';
import { isConditionalCheckFailure } from './dynamo-item';
import { readingSlotKeys } from './keys';

/**
 * Reading slots of concurrency-limited partner titles: slot i of a title is one item, taken by a conditional put
 * that succeeds when the slot is free, its lease has run out, or the same holder already has it. At most
 * `slots` items exist, so at most `slots` readers hold one at a time, without a counter to drift or a sweeper to
 * run: an expired lease is simply taken over (and DynamoDB's TTL removes forgotten ones).
 */
export class DynamoReadingSlots implements ReadingSlots {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim({
    titleId,
    holder,
    slots,
    now,
    until,
  }: {
    titleId: string;
    holder: string;
    slots: number;
    now: Date;
    until: Date;
  }): Promise<boolean> {
    // The holder's own slot first (a renewal), then the others in order.
    for (let slot = 0; slot < slots; slot++) {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...readingSlotKeys.slot(titleId, slot),
              holder,
              until: until.getTime(),
              ttl: Math.ceil(until.getTime() / 1000) + 3600,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR #until <= :now OR holder = :holder',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':now': now.getTime(), ':holder': holder },
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionalCheckFailure(error)) throw error;
      }
    }
    return false;
  }
}
