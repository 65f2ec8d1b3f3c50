import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReplayGuard } from '../domain/federation';
import { isConditionalCheckFailure } from './dynamo-item';
import { replayKeys } from './keys';

/**
 * Each partner token id is accepted once: a conditional put that fails when the id was seen. The item lives
 * until the token's `exp` (DynamoDB TTL); TTL deletion lags, so an item whose `ttl` has passed counts as gone.
 */
export class DynamoReplayGuard implements ReplayGuard {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimOnce(partnerId: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...replayKeys.assertion(partnerId, jti),
            ttl: Math.ceil(expiresAt.getTime() / 1000),
            seenAt: now.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }
}
