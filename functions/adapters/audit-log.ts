import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { AuditEntry, AuditFilter } from '../domain/audit';
import type { AuditLog, Page } from '../domain/ports';
import { decodeCursor, encodeCursor, indexCursor } from './cursor';
import { auditKeys } from './keys';
import { auditEntity } from './entities';
import { indexes } from './table-schema';

/**
 * The audit trail in the table. Newest first: every entry on gsi1 (one partition; librarian actions are a
 * trickle), and on gsi2 per target. Actor and action filters are applied by DynamoDB on the way out, so a
 * query may read past entries it drops; the page is filled across queries and the cursor is the last entry
 * handed out, never one skipped.
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: auditEntity.toItem(entry),
      }),
    );
  }

  async list(filter: AuditFilter, page: { limit: number; cursor?: string }): Promise<Page<AuditEntry>> {
    const byTarget = filter.targetType !== undefined && filter.targetId !== undefined;
    const index = byTarget ? indexes.gsi2 : indexes.gsi1;
    const tableKey = { pk: z.string().check(z.startsWith('AUDIT#')), sk: z.literal('AUDIT') };
    const cursorShape = byTarget
      ? indexCursor(indexes.gsi2, tableKey)
      : indexCursor(indexes.gsi1, tableKey, z.literal(auditKeys.listPartition));
    let startKey: Record<string, unknown> | undefined = decodeCursor(page.cursor, cursorShape);

    const names: Record<string, string> = { '#p': index.partitionKey };
    if (filter.from || filter.to) names['#s'] = index.sortKey;
    const values: Record<string, unknown> = {
      ':p': byTarget
        ? auditKeys.targetPartition(filter.targetType!, filter.targetId!)
        : auditKeys.listPartition,
    };
    let keyCondition = '#p = :p';
    // Sort keys start with the ISO time; '~' sorts after any '#<id>' suffix so `to` is inclusive.
    if (filter.from && filter.to) {
      keyCondition += ' AND #s BETWEEN :from AND :to';
      values[':from'] = filter.from;
      values[':to'] = `${filter.to}~`;
    } else if (filter.from) {
      keyCondition += ' AND #s >= :from';
      values[':from'] = filter.from;
    } else if (filter.to) {
      keyCondition += ' AND #s <= :to';
      values[':to'] = `${filter.to}~`;
    }
    const filters: string[] = [];
    if (filter.actor) {
      names['#actor'] = 'actor';
      values[':actor'] = filter.actor;
      filters.push('#actor = :actor');
    }
    if (filter.action) {
      names['#action'] = 'action';
      values[':action'] = filter.action;
      filters.push('#action = :action');
    }
    if (filter.targetType && !byTarget) {
      names['#targetType'] = 'targetType';
      values[':targetType'] = filter.targetType;
      filters.push('#targetType = :targetType');
    }

    const entries: Record<string, unknown>[] = [];
    let more: boolean;
    do {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: keyCondition,
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: page.limit - entries.length + (filters.length ? 50 : 0),
          ExclusiveStartKey: startKey,
        }),
      );
      entries.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
      more = startKey !== undefined;
    } while (more && entries.length < page.limit);

    const handedOut = entries.slice(0, page.limit);
    const last = handedOut.at(-1);
    const hasMore = entries.length > page.limit || (more && handedOut.length === page.limit);
    const cursor =
      hasMore && last
        ? encodeCursor(
            Object.fromEntries(
              ['pk', 'sk', index.partitionKey, index.sortKey].map((name) => [name, last[name]]),
            ),
          )
        : null;
    return { data: handedOut.map((item) => auditEntity.fromItem(item)), cursor };
  }
}
