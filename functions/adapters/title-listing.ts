import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { Licence } from '../domain/licence';
import type { Page } from '../domain/ports';
import {
  listTitles,
  type TitleListLimits,
  type TitleListPosition,
  type TitleListQuery,
  type TitleListReader,
  type TitleListRow,
  type TitleListSource,
} from '../domain/title-list';
import { decodeCursor, encodeCursor } from './cursor';
import { indexQuery, licenceEntity, titleEntity } from './entities';
import { licenceKeys, titleKeys } from './keys';
import { queryAll } from './lending/reads';
import { indexes } from './table-schema';

const cursorShape = z
  .strictObject({
    l: z.enum(['catalogue', 'withdrawn']),
    s: z.optional(z.string().check(z.maxLength(1_000))),
    i: z.optional(z.string().check(z.maxLength(200))),
  })
  .check(z.refine((c) => (c.s === undefined) === (c.i === undefined)));

/**
 * Reads the two gsi1 listings of titles (the catalogue, in sort-title order, and the withdrawn titles) a chunk
 * at a time, and each candidate's licences with one query of its partition (LICENCE# items only). No scan: a
 * page costs a few index queries and one small query per title shown. The cursor names the listing and the
 * last title read; it is the key DynamoDB would start after, so pages stay right however the chunks fall.
 */
export class DynamoTitleListing implements TitleListReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly limits: Partial<TitleListLimits> = {},
  ) {}

  async list(
    query: TitleListQuery,
    page: { limit: number; cursor?: string; now: Date },
  ): Promise<Page<TitleListRow>> {
    const decoded = decodeCursor(page.cursor, cursorShape);
    const start: TitleListPosition | undefined = decoded && {
      listing: decoded.l,
      ...(decoded.s !== undefined && decoded.i !== undefined
        ? { after: { sortTitle: decoded.s, id: decoded.i } }
        : {}),
    };
    const { rows, next } = await listTitles(this.source(), query, {
      limit: page.limit,
      now: page.now,
      limits: this.limits,
      ...(start ? { start } : {}),
    });
    return {
      data: rows,
      cursor: next
        ? encodeCursor({
            l: next.listing,
            ...(next.after ? { s: next.after.sortTitle, i: next.after.id } : {}),
          })
        : null,
    };
  }

  private source(): TitleListSource {
    return {
      titles: async (listing, after, limit) => {
        const partition = listing === 'withdrawn' ? titleKeys.withdrawnPartition : titleKeys.listPartition;
        const result = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            ...indexQuery(indexes.gsi1, partition, { limit }),
            ...(after
              ? {
                  ExclusiveStartKey: {
                    ...titleKeys.item(after.id),
                    [indexes.gsi1.partitionKey]: partition,
                    [indexes.gsi1.sortKey]: titleKeys.listSort(after.sortTitle, after.id),
                  },
                }
              : {}),
          }),
        );
        return {
          titles: (result.Items ?? []).map((item) => titleEntity.fromItem(item)),
          more: result.LastEvaluatedKey !== undefined,
        };
      },
      licences: async (titleId): Promise<Licence[]> => {
        const items = await queryAll(this.documents, this.tableName, {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': titleKeys.partition(titleId),
            ':prefix': licenceKeys.sortPrefix,
          },
        });
        return items.map((item) => licenceEntity.fromItem(item));
      },
    };
  }
}
