import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LoanStartCounter } from '../domain/catalogue-order';
import type { Collection, CollectionRepository } from '../domain/collection';
import type { LendingRepository, UsageRecorder } from '../domain/lending-ports';
import type { Clock } from '../domain/ports';
import type { Title } from '../domain/title';
import { isConditionalCheckFailure } from './dynamo-item';
import { collectionEntity, indexQuery, loanStartsEntity, titleEntity } from './entities';
import { collectionKeys } from './keys';
import { indexes, tableSchema } from './table-schema';

/** Collections in the table: one item each (the ordered title ids inside), all listed on gsi1. */
export class DynamoCollectionRepository implements CollectionRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Collection | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: collectionEntity.key(id), ConsistentRead: true }),
    );
    return collectionEntity.fromMaybe(Item);
  }

  async list(): Promise<Collection[]> {
    const found: Collection[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...indexQuery(indexes.gsi1, collectionKeys.listPartition),
          ScanIndexForward: false,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) found.push(collectionEntity.fromItem(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  async create(collection: Collection): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: collectionEntity.toItem(collection),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  async replace(next: Collection): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: collectionEntity.toItem(next),
          ConditionExpression: '#v = :previous',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':previous': next.version - 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  async titlesOf(ids: readonly string[]): Promise<Map<string, Title>> {
    const found = new Map<string, Title>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += 100) {
      let keys: Record<string, unknown>[] = unique
        .slice(start, start + 100)
        .map((id) => ({ ...titleEntity.key(id) }));
      // What DynamoDB leaves unprocessed (throttling) is asked for again, a few times at most.
      for (let round = 0; keys.length > 0 && round < 5; round++) {
        const result = await this.documents.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const title = titleEntity.fromItem(item);
          found.set(title.id, title);
        }
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
      if (keys.length > 0) throw new Error('DynamoDB left title reads unprocessed');
    }
    return found;
  }

  async remove(id: string): Promise<boolean> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: collectionEntity.key(id),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }
}

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

export class DynamoLoanStartCounter implements LoanStartCounter {
  private cached: { key: string; at: number; counts: Map<string, number> } | undefined;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly logger?: Logger,
    /** A sort by popularity may be a minute behind: 30 queries per minute per process at most. */
    private readonly cacheMs = 60_000,
  ) {}

  async count(titleId: string, at: Date): Promise<void> {
    // Statistics must not cost a patron their loan: a failed count is logged, not thrown.
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: loanStartsEntity.key(dayOf(at), titleId),
          UpdateExpression: 'ADD #count :one',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      this.logger?.warn('loan start not counted', { titleId, error: error as Error });
    }
  }

  async since(days: number, now: Date): Promise<Map<string, number>> {
    const key = `${days}#${dayOf(now)}`;
    if (this.cached && this.cached.key === key && now.getTime() - this.cached.at < this.cacheMs)
      return this.cached.counts;
    const dayList = Array.from({ length: days }, (_, i) => dayOf(new Date(now.getTime() - i * 86_400_000)));
    const perDay = await Promise.all(dayList.map((day) => this.day(day)));
    const counts = new Map<string, number>();
    for (const items of perDay)
      for (const [titleId, n] of items) counts.set(titleId, (counts.get(titleId) ?? 0) + n);
    this.cached = { key, at: now.getTime(), counts };
    return counts;
  }

  /** Forgets the cached counts (tests, and a process that just counted a loan it wants to see). */
  forget(): void {
    this.cached = undefined;
  }

  private async day(day: string): Promise<[string, number][]> {
    const found: [string, number][] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': collectionKeys.loanStartsPartition(day) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? [])
        found.push([String(item[tableSchema.sortKey]), loanStartsEntity.fromItem(item).count ?? 0]);
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }
}

/**
 * The lending repository with each new loan counted per title and day. A wrapper rather than a write inside
 * the checkout transaction: the count is statistics, and the lending adapter stays as it is. A replayed
 * checkout (same idempotency key) is not a new loan and is not counted.
 */
export function countingLoanStarts(
  lending: LendingRepository,
  counter: LoanStartCounter,
  clock: Clock,
  /** Also told of each new loan (`Loan_Started`, the dashboard's daily figures); never throws. */
  usage?: UsageRecorder,
): LendingRepository {
  return new Proxy(lending, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property === 'checkout') {
        return async (...args: Parameters<LendingRepository['checkout']>) => {
          const result = await target.checkout(...args);
          if (!result.replayed) {
            const at = clock.now();
            await Promise.all([
              counter.count(args[0].titleId, at),
              usage?.record({ titleId: args[0].titleId, metric: 'Loan_Started', at }),
            ]);
          }
          return result;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
