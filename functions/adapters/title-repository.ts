import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Page, TitleRepository } from '../domain/ports';
import type { Title, TitleChanges } from '../domain/title';
import { decodeCursor, encodeCursor } from './cursor';
import { isConditionalCheckFailure } from './dynamo-item';
import { catalogueKeys, titleKeys } from './keys';
import { indexQuery, titleEntity } from './entities';
import { indexes } from './table-schema';

const listCursor = z
  .object({
    pk: z.string(),
    sk: z.literal('TITLE'),
    gsi1pk: z.literal(titleKeys.listPartition),
    gsi1sk: z.string(),
  })
  .strict();

export class DynamoTitleRepository implements TitleRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(titleId: string): Promise<Title | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: titleKeys.item(titleId) }),
    );
    return titleEntity.fromMaybe(Item);
  }

  /** Catalogue order (sort title), one gsi1 query per page. */
  async list({ limit, cursor }: { limit: number; cursor?: string }): Promise<Page<Title>> {
    const startKey = decodeCursor(cursor, listCursor);
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        ...indexQuery(indexes.gsi1, titleKeys.listPartition, { limit }),
        ExclusiveStartKey: startKey,
      }),
    );
    return {
      data: (result.Items ?? []).map((item) => titleEntity.fromItem(item)),
      cursor: encodeCursor(result.LastEvaluatedKey),
    };
  }

  async create(title: Title): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: titleEntity.toItem(title),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
    await this.touchCatalogue();
    return true;
  }

  /**
   * Bumps the catalogue version so every process rebuilds its search index on its next check. Call after any
   * write that changes what search should find (create, edit, withdraw).
   */
  async touchCatalogue(): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: catalogueKeys.version,
        UpdateExpression: 'ADD #v :one',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  /** The catalogue version marker (0 before the first title). */
  async catalogueVersion(): Promise<number> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: catalogueKeys.version, ConsistentRead: true }),
    );
    return typeof Item?.version === 'number' ? Item.version : 0;
  }

  /** Every title, in catalogue order: what the search index is built from (a few MB even at 100k titles). */
  async all(): Promise<Title[]> {
    const titles: Title[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...indexQuery(indexes.gsi1, titleKeys.listPartition),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) titles.push(titleEntity.fromItem(item));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return titles;
  }

  /**
   * Edits a title. A withdrawn title leaves the catalogue listing (its gsi1 entry moves to the withdrawn
   * partition) but stays readable by id, so running loans keep working.
   */
  async update(titleId: string, changes: TitleChanges, now: Date): Promise<Title | undefined> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': now.toISOString() };
    const sets = ['#updatedAt = :updatedAt'];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (changes.sortTitle !== undefined) {
      names['#gsi1sk'] = indexes.gsi1.sortKey;
      values[':gsi1sk'] = titleKeys.listSort(changes.sortTitle, titleId);
      sets.push('#gsi1sk = :gsi1sk');
    }
    if (changes.status !== undefined) {
      names['#gsi1pk'] = indexes.gsi1.partitionKey;
      values[':gsi1pk'] =
        changes.status === 'withdrawn' ? titleKeys.withdrawnPartition : titleKeys.listPartition;
      sets.push('#gsi1pk = :gsi1pk');
    }
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: titleKeys.item(titleId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      // Search indexes in every process rebuild on their next check (edits and withdrawals change results).
      if (Attributes) await this.touchCatalogue();
      return titleEntity.fromMaybe(Attributes);
    } catch (error) {
      if (isConditionalCheckFailure(error)) return undefined;
      throw error;
    }
  }
}
