import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  lockedUntil,
  lockoutPolicy,
  type CheckReservation,
  type LoginAttemptRepository,
  type LoginAttempts,
} from '../domain/sign-in';
import { isConditionalCheckFailure } from './dynamo-item';
import { loginAttemptKeys } from './keys';

/**
 * PIN checks and failed sign-ins per card number, one item per card holding its current window: counted with
 * atomic, conditional updates (no read-modify-write), so concurrent requests can neither share a check nor lose
 * a failure. A window starts at the first attempt (or failure) after the last one ended and lasts 15 minutes.
 *
 * reserve (before any PIN is verified):
 *  1. `ADD checks 1` if the window is open, has a check left and the card is not locked;
 *  2. otherwise start a new window holding this check, if the last one is over and no lock stands;
 *  3. otherwise read: locked, or the window's checks are taken → refused, and the attempt counts as a failure
 *     (it may be what locks the card); else someone just opened the window, and the next round tries again.
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

  async reserve(cardNumber: string, now: Date): Promise<CheckReservation> {
    const t = now.getTime();
    const windowFloor = t - windowMs;
    const ttl = expiryOf(now);
    const key = loginAttemptKeys.item(cardNumber);
    const notLocked = '(attribute_not_exists(lockedUntil) OR lockedUntil <= :now)';

    // Each round either reserves, refuses, or saw another request open the window (which happens once per
    // window) or take one of its few checks: a handful of rounds always settles it.
    for (let round = 0; round < lockoutPolicy.maxChecks + 3; round++) {
      let seen: LoginAttempts | undefined;
      try {
        const { Attributes } = await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'ADD checks :one SET #ttl = :ttl',
            ConditionExpression:
              'attribute_exists(pk) AND windowStartedAt > :floor AND ' +
              '(attribute_not_exists(checks) OR checks < :maxChecks) AND ' +
              '(attribute_not_exists(failures) OR failures < :maxFailures) AND ' +
              notLocked,
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':one': 1,
              ':ttl': ttl,
              ':floor': windowFloor,
              ':maxChecks': lockoutPolicy.maxChecks,
              ':maxFailures': lockoutPolicy.maxFailures,
              ':now': t,
            },
            ReturnValues: 'UPDATED_NEW',
            // What stood in the way comes back with the refusal: no extra read under a burst.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { granted: true, check: Number(Attributes?.checks ?? 1) };
      } catch (error) {
        if (!isConditionalCheckFailure(error)) throw error;
        seen = storedAttemptsOf(error);
      }

      if (!seen || seen.windowStartedAt <= windowFloor) {
        // No open window: a lock that outlasts its window refuses (nothing to count in); else open one.
        if (seen?.lockedUntil !== undefined && seen.lockedUntil > t) {
          return { granted: false, until: seen.lockedUntil };
        }
        try {
          await this.documents.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...key, failures: 0, checks: 1, windowStartedAt: t, ttl },
              ConditionExpression: `(attribute_not_exists(pk) OR windowStartedAt <= :floor) AND ${notLocked}`,
              ExpressionAttributeValues: { ':floor': windowFloor, ':now': t },
            }),
          );
          return { granted: true, check: 1 };
        } catch (error) {
          if (!isConditionalCheckFailure(error)) throw error;
          continue;
        }
      }

      const refused = refusedUntil(seen, now);
      // The window had a check left after all: another request changed it in between; try again.
      if (refused === undefined) continue;
      const after = await this.countInWindow(cardNumber, now);
      return { granted: false, until: refusedUntil(after, now) ?? refused };
    }
    throw new Error(`Could not reserve a PIN check for card ${cardNumber}: too much contention`);
  }

  async recordFailure(cardNumber: string, now: Date): Promise<LoginAttempts> {
    const t = now.getTime();
    const windowFloor = t - windowMs;
    const ttl = expiryOf(now);
    const key = loginAttemptKeys.item(cardNumber);

    for (let round = 0; round < 5; round++) {
      const counted = await this.countInWindow(cardNumber, now);
      if (counted) return counted;
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

  /**
   * `ADD failures 1` in the card's open window (atomic) and the lock once the count reaches the limit; undefined
   * when no window is open.
   */
  private async countInWindow(cardNumber: string, now: Date): Promise<LoginAttempts | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: loginAttemptKeys.item(cardNumber),
          UpdateExpression: 'ADD failures :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_exists(pk) AND windowStartedAt > :floor',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':ttl': expiryOf(now),
            ':floor': now.getTime() - windowMs,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const attempts = attemptsOf(Attributes ?? {});
      const alreadyLocked = attempts.lockedUntil !== undefined && attempts.lockedUntil > now.getTime();
      return attempts.failures >= lockoutPolicy.maxFailures && !alreadyLocked
        ? this.lock(cardNumber, attempts, now)
        : attempts;
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      return undefined;
    }
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
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return attemptsOf(Attributes ?? {});
    } catch (error) {
      // Already locked by a concurrent failure: that lock stands.
      if (isConditionalCheckFailure(error)) return storedAttemptsOf(error) ?? attempts;
      throw error;
    }
  }

  /**
   * The record goes only when this success held the window's only check: then no other request is verifying
   * and no failure is forgiven. Otherwise the failures are forgiven (they will not lock the card) but the
   * checks stay taken: giving them back while other requests of a burst are in flight or still arriving would
   * let that burst check more than `maxChecks` PINs in the window. A lock, or one being written, stands.
   */
  async clear(cardNumber: string, now: Date): Promise<void> {
    const key = loginAttemptKeys.item(cardNumber);
    const notLocked = '(attribute_not_exists(lockedUntil) OR lockedUntil <= :now)';
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: `checks = :one AND (attribute_not_exists(failures) OR failures = :zero) AND ${notLocked}`,
          ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':now': now.getTime() },
        }),
      );
      return;
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET failures = :zero',
          ConditionExpression: `attribute_exists(pk) AND failures < :max AND ${notLocked}`,
          ExpressionAttributeValues: { ':zero': 0, ':max': lockoutPolicy.maxFailures, ':now': now.getTime() },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }
}

const windowMs = lockoutPolicy.windowSeconds * 1000;

/** Kept until the window and any lock it leads to are over; DynamoDB deletes it some time after (TTL). */
const expiryOf = (now: Date) =>
  Math.ceil(now.getTime() / 1000) + lockoutPolicy.windowSeconds + lockoutPolicy.lockSeconds;

/** Until when an attempt is refused unchecked: a lock, or an open window whose checks are all taken. */
function refusedUntil(attempts: LoginAttempts | undefined, now: Date): number | undefined {
  const locked = lockedUntil(attempts, now);
  if (locked !== undefined) return locked;
  if (!attempts) return undefined;
  const windowEnds = attempts.windowStartedAt + windowMs;
  const full = (attempts.checks ?? 0) >= lockoutPolicy.maxChecks;
  return full && windowEnds > now.getTime() ? windowEnds : undefined;
}

/** The item a conditional write found (ReturnValuesOnConditionCheckFailure), still in DynamoDB's own format. */
function storedAttemptsOf(error: unknown): LoginAttempts | undefined {
  const raw = (error as { Item?: Record<string, { N?: string }> }).Item;
  if (!raw) return undefined;
  const numbers = Object.fromEntries(
    Object.entries(raw).flatMap(([name, value]) => (value.N !== undefined ? [[name, Number(value.N)]] : [])),
  );
  return attemptsOf(numbers);
}

function attemptsOf(item: Record<string, unknown>): LoginAttempts {
  return {
    failures: Number(item.failures ?? 0),
    windowStartedAt: Number(item.windowStartedAt ?? 0),
    ...(item.lockedUntil !== undefined ? { lockedUntil: Number(item.lockedUntil) } : {}),
    ...(item.checks !== undefined ? { checks: Number(item.checks) } : {}),
  };
}
