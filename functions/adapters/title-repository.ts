import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { CatalogueMarker, Page, PublishedTitleRef, TitleRepository } from '../domain/ports';
import type { Title, TitleChanges } from '../domain/title';
import { isbnKey } from '../domain/title-list';
import { decodeCursor, encodeCursor, indexCursor } from './cursor';
import { isConditionalCheckFailure, isTransactionCancelled } from './dynamo-item';
import { catalogueKeys, publicationKeys, titleKeys } from './keys';
import { indexQuery, isbnMarkerEntity, publishedFileEntity, titleEntity } from './entities';
import { indexes } from './table-schema';

const listCursor = indexCursor(
  indexes.gsi1,
  { pk: z.string(), sk: z.literal('TITLE') },
  z.literal(titleKeys.listPartition),
);

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
    // Found by later publications of a title with the same ISBN (a warning, not a constraint).
    await Promise.all(
      this.isbnMarkers(title.id, title.identifiers.isbn ?? []).map((item) =>
        this.documents.send(new PutCommand({ TableName: this.tableName, Item: item })),
      ),
    );
    await this.touchCatalogue(title.id);
    return true;
  }

  async publish(
    title: Title,
    options: { allowDuplicate: boolean },
  ): Promise<{ created: boolean } | { duplicateOf: PublishedTitleRef }> {
    const marker = publishedFileEntity.toItem({
      sha256: title.sha256,
      titleId: title.id,
      title: title.title,
      publishedAt: title.createdAt,
    });
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: titleEntity.toItem(title),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: marker,
                ...(options.allowDuplicate ? {} : { ConditionExpression: 'attribute_not_exists(pk)' }),
              },
            },
            ...this.isbnMarkers(title.id, title.identifiers.isbn ?? []).map((item) => ({
              Put: { TableName: this.tableName, Item: item },
            })),
          ],
        }),
      );
    } catch (error) {
      if (!isTransactionCancelled(error)) throw error;
      const [titleReason, fileReason] = (error.CancellationReasons ?? []).map((r) => r.Code);
      if (titleReason === 'ConditionalCheckFailed') return { created: false };
      if (fileReason === 'ConditionalCheckFailed') {
        const existing = await this.publishedFile(title.sha256);
        if (existing) return { duplicateOf: existing };
      }
      throw error;
    }
    await this.touchCatalogue(title.id);
    return { created: true };
  }

  async publishedFile(sha256: string): Promise<PublishedTitleRef | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: publicationKeys.file(sha256), ConsistentRead: true }),
    );
    const marker = publishedFileEntity.fromMaybe(Item);
    if (!marker) return undefined;
    // The name it has now (it may have been edited since it was published).
    const title = await this.get(marker.titleId);
    return { id: marker.titleId, title: title?.title ?? marker.title };
  }

  async withIsbn(isbns: readonly string[]): Promise<Title[]> {
    const wanted = [...new Set(isbns.map(isbnKey).filter(Boolean))];
    const markers = await Promise.all(
      wanted.map(async (isbn) => {
        const result = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': publicationKeys.isbnPartition(isbn) },
          }),
        );
        return (result.Items ?? []).map((item) => isbnMarkerEntity.fromItem(item).titleId);
      }),
    );
    const titles = await this.getMany(markers.flat());
    // A marker outlives an edit of the title's ISBNs: keep only the titles that still carry one.
    return titles.filter((t) => (t.identifiers.isbn ?? []).some((i) => wanted.includes(isbnKey(i))));
  }

  private isbnMarkers(titleId: string, isbns: readonly string[]): Record<string, unknown>[] {
    return [...new Set(isbns.map(isbnKey).filter(Boolean))].map((isbn) =>
      isbnMarkerEntity.toItem({ isbn, titleId }),
    );
  }

  /**
   * Bumps the catalogue version so every process rebuilds its search index on its next check, and notes the
   * title as changed since the current index snapshot (readers apply it on top of the snapshot). Call after
   * any write that changes what search should find (create, edit, withdraw).
   */
  async touchCatalogue(titleId: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: catalogueKeys.version,
        UpdateExpression: 'ADD #v :one, #changed :ids',
        ExpressionAttributeNames: { '#v': 'version', '#changed': 'changed' },
        ExpressionAttributeValues: { ':one': 1, ':ids': new Set([titleId]) },
      }),
    );
  }

  /** The catalogue version marker (0 before the first title). */
  async catalogueVersion(): Promise<number> {
    return (await this.catalogueMarker()).version;
  }

  async catalogueMarker(): Promise<CatalogueMarker> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: catalogueKeys.version, ConsistentRead: true }),
    );
    const changed = Item?.changed instanceof Set ? [...(Item.changed as Set<string>)] : [];
    const snapshot =
      typeof Item?.snapshotKey === 'string' && typeof Item.snapshotVersion === 'number'
        ? { key: Item.snapshotKey, version: Item.snapshotVersion }
        : undefined;
    return {
      version: typeof Item?.version === 'number' ? Item.version : 0,
      changed,
      ...(snapshot ? { snapshot } : {}),
    };
  }

  /** By key, 100 per request (BatchGetItem's limit), unprocessed keys asked again. */
  async getMany(titleIds: readonly string[]): Promise<Title[]> {
    const unique = [...new Set(titleIds)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += 100) batches.push(unique.slice(i, i + 100));
    const pages = await Promise.all(
      batches.map(async (ids) => {
        const found: Title[] = [];
        let keys: Record<string, unknown>[] | undefined = ids.map((id) => ({ ...titleKeys.item(id) }));
        for (let attempt = 0; keys && keys.length > 0; attempt++) {
          if (attempt >= 5) throw new Error(`BatchGetItem left ${keys.length} titles unread`);
          const result: BatchGetCommandOutput = await this.documents.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of result.Responses?.[this.tableName] ?? []) found.push(titleEntity.fromItem(item));
          keys = result.UnprocessedKeys?.[this.tableName]?.Keys;
        }
        return found;
      }),
    );
    return pages.flat();
  }

  async recordSnapshot(
    snapshot: { key: string; version: number },
    included: readonly string[],
  ): Promise<void> {
    const names = { '#v': 'version', '#key': 'snapshotKey', '#sv': 'snapshotVersion', '#changed': 'changed' };
    const set = 'SET #key = :key, #sv = :v';
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: catalogueKeys.version,
          UpdateExpression: included.length > 0 ? `${set} DELETE #changed :ids` : set,
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames:
            included.length > 0
              ? names
              : { '#v': 'version', '#key': 'snapshotKey', '#sv': 'snapshotVersion' },
          ExpressionAttributeValues: {
            ':key': snapshot.key,
            ':v': snapshot.version,
            ...(included.length > 0 ? { ':ids': new Set(included) } : {}),
          },
        }),
      );
      return;
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
    // The catalogue moved while the snapshot was built: name it anyway (it is newer than the one named), but
    // keep every change noted, so readers also apply those the snapshot may lack.
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: catalogueKeys.version,
          UpdateExpression: set,
          ConditionExpression: 'attribute_not_exists(#sv) OR #sv < :v',
          ExpressionAttributeNames: { '#key': 'snapshotKey', '#sv': 'snapshotVersion' },
          ExpressionAttributeValues: { ':key': snapshot.key, ':v': snapshot.version },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
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
      if (Attributes) await this.touchCatalogue(titleId);
      // New ISBNs are found by later publications; markers of ISBNs taken away are ignored by their readers.
      if (Attributes && changes.identifiers?.isbn?.length) {
        await Promise.all(
          this.isbnMarkers(titleId, changes.identifiers.isbn).map((item) =>
            this.documents.send(new PutCommand({ TableName: this.tableName, Item: item })),
          ),
        );
      }
      return titleEntity.fromMaybe(Attributes);
    } catch (error) {
      if (isConditionalCheckFailure(error)) return undefined;
      throw error;
    }
  }
}
