import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Patron } from '../domain/patron';
import type { PatronRepository } from '../domain/ports';
import { isTransactionCancelled, recordOf } from './dynamo-item';
import { patronKeys } from './keys';

export class DynamoPatronRepository implements PatronRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(patronId: string): Promise<Patron | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: patronKeys.item(patronId), ConsistentRead: true }),
    );
    return Item ? recordOf<Patron>(Item) : undefined;
  }

  async getByCard(cardNumber: string): Promise<Patron | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: patronKeys.card(cardNumber), ConsistentRead: true }),
    );
    return typeof Item?.patronId === 'string' ? this.get(Item.patronId) : undefined;
  }

  async create(patron: Patron): Promise<boolean> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...patronKeys.card(patron.cardNumber), patronId: patron.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...patronKeys.item(patron.id),
                  gsi1pk: patronKeys.listPartition,
                  gsi1sk: patronKeys.listSort(patron.name, patron.id),
                  ...patron,
                },
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
}
