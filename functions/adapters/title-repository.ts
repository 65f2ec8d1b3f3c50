import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Page, TitleRepository } from '../domain/ports';
import type { Title } from '../domain/title';
import { decodeCursor, encodeCursor } from './cursor';
import { isConditionalCheckFailure, recordOf } from './dynamo-item';
import { titleKeys } from './keys';

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
    return Item ? recordOf<Title>(Item) : undefined;
  }

  /** Catalogue order (sort title), one gsi1 query per page. */
  async list({ limit, cursor }: { limit: number; cursor?: string }): Promise<Page<Title>> {
    const startKey = decodeCursor(cursor, listCursor);
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': titleKeys.listPartition },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return {
      data: (result.Items ?? []).map((item) => recordOf<Title>(item)),
      cursor: encodeCursor(result.LastEvaluatedKey),
    };
  }

  async create(title: Title): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...titleKeys.item(title.id),
            gsi1pk: titleKeys.listPartition,
            gsi1sk: titleKeys.listSort(title.sortTitle, title.id),
            ...title,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }
}
