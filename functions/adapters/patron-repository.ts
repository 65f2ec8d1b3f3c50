import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { Patron } from '../domain/patron';
import type { Page, PatronChanges, PatronRepository } from '../domain/ports';
import { decodeCursor, encodeCursor, indexCursor } from './cursor';
import { isConditionalCheckFailure, isTransactionCancelled } from './dynamo-item';
import { patronKeys } from './keys';
import { cardEntity, cardItem, indexQuery, patronEntity } from './entities';
import { indexes } from './table-schema';

const searchCursor = indexCursor(
  indexes.gsi1,
  { pk: z.string().check(z.startsWith('PATRON#')), sk: z.literal('PATRON') },
  z.literal(patronKeys.listPartition),
);

/** Stands in for the patron id of an unknown card, so a lookup costs two reads either way (see getByCard). */
const noPatron = '-';

export class DynamoPatronRepository implements PatronRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(patronId: string): Promise<Patron | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: patronKeys.item(patronId), ConsistentRead: true }),
    );
    return patronEntity.fromMaybe(Item);
  }

  /**
   * Always two reads (card, then patron), also for an unknown card: sign-in must take the same time whether
   * or not a card exists.
   */
  async getByCard(cardNumber: string): Promise<Patron | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: patronKeys.card(cardNumber), ConsistentRead: true }),
    );
    const patronId = cardEntity.fromMaybe(Item)?.patronId;
    const patron = await this.get(patronId ?? noPatron);
    return patronId ? patron : undefined;
  }

  /** Name order on gsi1 (the sort key is the lower-cased name), narrowed by a name prefix. */
  async search(options: { namePrefix?: string; limit: number; cursor?: string }): Promise<Page<Patron>> {
    const prefix = options.namePrefix?.trim().toLowerCase();
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        ...indexQuery(indexes.gsi1, patronKeys.listPartition, {
          ...(prefix ? { sort: { beginsWith: prefix } } : {}),
          limit: options.limit,
        }),
        ExclusiveStartKey: decodeCursor(options.cursor, searchCursor),
      }),
    );
    return {
      data: (result.Items ?? []).map((item) => patronEntity.fromItem(item)),
      cursor: encodeCursor(result.LastEvaluatedKey),
    };
  }

  async create(patron: Patron): Promise<boolean> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: cardItem(patron),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: patronEntity.toItem(patron),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (
        isTransactionCancelled(error) &&
        error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
      ) {
        return false;
      }
      throw error;
    }
  }

  async update(patronId: string, changes: PatronChanges, now: Date): Promise<Patron | undefined> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': now.toISOString() };
    const sets = ['#updatedAt = :updatedAt'];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined && field !== 'email') continue;
      names[`#${field}`] = field;
      if (value === undefined) {
        removes.push(`#${field}`);
        continue;
      }
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (changes.name !== undefined) {
      // The listing index sorts by name, so it follows a rename.
      names['#gsi1sk'] = indexes.gsi1.sortKey;
      values[':gsi1sk'] = patronKeys.listSort(changes.name, patronId);
      sets.push('#gsi1sk = :gsi1sk');
    }
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: patronKeys.item(patronId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return patronEntity.fromMaybe(Attributes);
    } catch (error) {
      if (isConditionalCheckFailure(error)) return undefined;
      throw error;
    }
  }
}
