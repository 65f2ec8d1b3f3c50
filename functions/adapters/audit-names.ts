import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AuditNameDirectory, AuditNameRefs } from '../domain/audit';
import { patronEntity, titleEntity } from './entities';
import { patronKeys, titleKeys } from './keys';

/**
 * Names for the audit trail, read by key when the trail is read: titles' titles and patrons' (librarians')
 * names, all in BatchGetItem requests of at most 100 keys (its limit), unprocessed keys asked again. A page of
 * the trail is at most 100 entries, so this is one or a few requests per page. Only the name leaves here.
 */
export class DynamoAuditNames implements AuditNameDirectory {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async names(
    refs: AuditNameRefs,
  ): Promise<{ titles: Record<string, string>; patrons: Record<string, string> }> {
    // Which kind each key reads, so an item is told apart by its key (built in keys.ts), not by its shape.
    const kindOf = new Map<string, 'title' | 'patron'>();
    const keyName = (item: Record<string, unknown>) => `${String(item['pk'])}\u0000${String(item['sk'])}`;
    const keys = [
      ...[...new Set(refs.titleIds)].map((id) => ({ key: titleKeys.item(id), kind: 'title' as const })),
      ...[...new Set(refs.patronIds)].map((id) => ({ key: patronKeys.item(id), kind: 'patron' as const })),
    ].map(({ key, kind }) => {
      kindOf.set(keyName({ ...key }), kind);
      return key;
    });
    const titles: Record<string, string> = {};
    const patrons: Record<string, string> = {};
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < keys.length; i += 100)
      batches.push(keys.slice(i, i + 100).map((key) => ({ ...key })));
    await Promise.all(
      batches.map(async (batch) => {
        let pending: Record<string, unknown>[] | undefined = batch;
        for (let attempt = 0; pending && pending.length > 0; attempt++) {
          if (attempt >= 5) throw new Error(`BatchGetItem left ${pending.length} names unread`);
          const result: BatchGetCommandOutput = await this.documents.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
          );
          for (const item of result.Responses?.[this.tableName] ?? []) {
            const kind = kindOf.get(keyName(item));
            if (kind === 'title') {
              const title = titleEntity.fromItem(item);
              titles[title.id] = title.title;
            } else if (kind === 'patron') {
              const patron = patronEntity.fromItem(item);
              patrons[patron.id] = patron.name;
            }
          }
          pending = result.UnprocessedKeys?.[this.tableName]?.Keys;
        }
      }),
    );
    return { titles, patrons };
  }
}
