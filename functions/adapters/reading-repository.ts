import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ReadingRepository } from '../domain/ports';
import type { Bookmark, ReadingProgress } from '../domain/reading';
import { isConditionalCheckFailure } from './dynamo-item';
import { readingKeys } from './keys';
import { bookmarkEntity, readingProgressEntity } from './entities';

/** Positions and bookmarks live in the patron's partition (see `readingKeys`). */
export class DynamoReadingRepository implements ReadingRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getProgress(patronId: string, titleId: string): Promise<ReadingProgress | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: readingKeys.progress(patronId, titleId),
        ConsistentRead: true,
      }),
    );
    return readingProgressEntity.fromMaybe(Item);
  }

  async putProgress(
    patronId: string,
    progress: ReadingProgress,
  ): Promise<{ stored: ReadingProgress; saved: boolean }> {
    try {
      // ISO 8601 UTC strings compare in time order, so the condition keeps the newest save.
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...readingKeys.progress(patronId, progress.titleId), ...progress },
          ConditionExpression: 'attribute_not_exists(pk) OR #m <= :m',
          ExpressionAttributeNames: { '#m': 'modified' },
          ExpressionAttributeValues: { ':m': progress.modified },
        }),
      );
      return { stored: progress, saved: true };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      const stored = await this.getProgress(patronId, progress.titleId);
      return { stored: stored ?? progress, saved: false };
    }
  }

  async listBookmarks(patronId: string, titleId: string): Promise<Bookmark[]> {
    const bookmarks: Bookmark[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
          ExpressionAttributeValues: {
            ':p': readingKeys.bookmarkPartition(patronId),
            ':s': readingKeys.bookmarkPrefix(titleId),
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) bookmarks.push(bookmarkEntity.fromItem(item));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return bookmarks;
  }

  async addBookmark(patronId: string, bookmark: Bookmark): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...readingKeys.bookmark(patronId, bookmark.titleId, bookmark.id), ...bookmark },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async deleteBookmark(patronId: string, titleId: string, bookmarkId: string): Promise<boolean> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: readingKeys.bookmark(patronId, titleId, bookmarkId),
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
