import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { lockoutPolicy, type LoginAttemptRepository, type LoginAttempts } from '../domain/sign-in';
import { isConditionalCheckFailure } from './dynamo-item';
import { loginAttemptKeys } from './keys';

/**
 * Failed sign-ins per card number, counted with atomic, conditional updates so that concurrent wrong PINs are
 * all counted (no read-modify-write). The window is fixed: it starts at the first failure and lasts 15 minutes.
 *
 * recordFailure:
 *  1. `ADD failures 1` if the window is still open (atomic increment);
 *  2. otherwise start a new window with a Put that only succeeds if there is no open window and no lock
 *     (two requests racing to start a window: one wins, the other goes back to step 1);
 *  3. if the count reached the limit, set `lockedUntil` (only if not already locked).
 */
export class DynamoLoginAttemptRepository implements LoginAttemptRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(cardNumber: string): Promise<LoginAttempts | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: loginAttemptKeys.item(cardNumber),
        ConsistentRead: true,
      }),
    );
    return Item ? attemptsOf(Item) : undefined;
  }

  async recordFailure(cardNumber: string, now: Date): Promise<LoginAttempts> {
    const t = now.getTime();
    const windowFloor = t - lockoutPolicy.windowSeconds * 1000;
    // Kept until the window and any lock it leads to are over; DynamoDB deletes it some time after.
    const ttl = Math.ceil(t / 1000) + lockoutPolicy.windowSeconds + lockoutPolicy.lockSeconds;
    const key = loginAttemptKeys.item(cardNumber);

    for (let round = 0; round < 5; round++) {
      try {
        const { Attributes } = await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'ADD failures :one SET #ttl = :ttl',
            ConditionExpression: 'attribute_exists(pk) AND windowStartedAt > :floor',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':ttl': ttl, ':floor': windowFloor },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const attempts = attemptsOf(Attributes ?? {});
        return attempts.failures >= lockoutPolicy.maxFailures
          ? this.lock(cardNumber, attempts, now)
          : attempts;
      } catch (error) {
        if (!isConditionalCheckFailure(error)) throw error;
      }
      try {
        const attempts: LoginAttempts = { failures: 1, windowStartedAt: t };
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key, ...attempts, ttl },
            ConditionExpression:
              '(attribute_not_exists(pk) OR windowStartedAt <= :floor) AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)',
            ExpressionAttributeValues: { ':floor': windowFloor, ':now': t },
          }),
        );
        return attempts.failures >= lockoutPolicy.maxFailures
          ? this.lock(cardNumber, attempts, now)
          : attempts;
      } catch (error) {
        if (!isConditionalCheckFailure(error)) throw error;
      }
      // Neither: usually someone else just started the window, and the next round counts in it. Only a lock
      // that outlasts its window stops both; then the card is locked anyway and this failure changes nothing.
      const current = await this.get(cardNumber);
      const windowOpen = current !== undefined && current.windowStartedAt > windowFloor;
      if (!windowOpen && current?.lockedUntil !== undefined && current.lockedUntil > t) return current;
    }
    throw new Error(`Could not record a failed sign-in for card ${cardNumber}: too much contention`);
  }

  private async lock(cardNumber: string, attempts: LoginAttempts, now: Date): Promise<LoginAttempts> {
    const t = now.getTime();
    const until = t + lockoutPolicy.lockSeconds * 1000;
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: loginAttemptKeys.item(cardNumber),
          UpdateExpression: 'SET lockedUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)',
          ExpressionAttributeValues: { ':until': until, ':now': t },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return attemptsOf(Attributes ?? {});
    } catch (error) {
      // Already locked by a concurrent failure: that lock stands.
      if (isConditionalCheckFailure(error)) return (await this.get(cardNumber)) ?? attempts;
      throw error;
    }
  }

  async clear(cardNumber: string, now: Date): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: loginAttemptKeys.item(cardNumber),
          ConditionExpression: 'attribute_not_exists(lockedUntil) OR lockedUntil <= :now',
          ExpressionAttributeValues: { ':now': now.getTime() },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }
}

function attemptsOf(item: Record<string, unknown>): LoginAttempts {
  return {
    failures: Number(item.failures ?? 0),
    windowStartedAt: Number(item.windowStartedAt ?? 0),
    ...(item.lockedUntil !== undefined ? { lockedUntil: Number(item.lockedUntil) } : {}),
  };
}
