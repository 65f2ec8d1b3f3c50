import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UploadRepository } from '../domain/ports';
import { uploadLimits, type Upload, type UploadState } from '../domain/upload';
import { isConditionalCheckFailure } from './dynamo-item';
import { uploadKeys } from './keys';
import { uploadEntity } from './entities';

/** Upload records; each carries a TTL a week after its links expire, so abandoned ones clean themselves up. */
export class DynamoUploadRepository implements UploadRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(upload: Upload): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: uploadEntity.toItem(upload, { ttl: ttlOf(upload.expiresAt) }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(uploadId: string): Promise<Upload | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: uploadKeys.item(uploadId), ConsistentRead: true }),
    );
    return uploadEntity.fromMaybe(Item);
  }

  async transition(
    uploadId: string,
    from: UploadState[],
    changes: Partial<Omit<Upload, 'id'>> & { state: UploadState },
    now: Date,
  ): Promise<Upload | undefined> {
    const names: Record<string, string> = { '#state': 'state', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': now.toISOString() };
    const sets = ['#updatedAt = :updatedAt'];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    from.forEach((state, i) => (values[`:from${i}`] = state));
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: uploadKeys.item(uploadId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND #state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return uploadEntity.fromMaybe(Attributes);
    } catch (error) {
      if (isConditionalCheckFailure(error)) return undefined;
      throw error;
    }
  }
}

const ttlOf = (expiresAt: string) =>
  Math.floor(Date.parse(expiresAt) / 1000) + uploadLimits.recordRetentionSeconds;
