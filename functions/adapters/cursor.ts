import * as z from 'zod/mini';
import { ValidationError } from '../domain/errors';
import { tableSchema, type IndexDefinition } from './table-schema';

/**
 * Page cursors are DynamoDB's LastEvaluatedKey, base64url-encoded. A cursor that does not decode to the key
 * shape of the listing it is used with is a client error, never a 500 and never a scan of something else.
 */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  return lastKey ? Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url') : null;
}

export function decodeCursor<T>(cursor: string | undefined, shape: z.core.$ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw new Error('not base64url');
    const parsed = z.safeParse(shape, JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the validation error below
  }
  throw new ValidationError({
    code: 'VALIDATION_FAILED',
    detail: 'The cursor is not one this listing issued.',
    context: { field: 'cursor' },
  });
}

/**
 * The shape of a cursor over an index: the table's key and the index's key, named from the table schema (never
 * spelled out by the listing). `partition` pins the index partition the listing reads, where it reads one.
 */
export function indexCursor(
  index: IndexDefinition,
  table: { pk: z.core.$ZodType<string>; sk: z.core.$ZodType<string> },
  partition: z.core.$ZodType<string> = z.string(),
): z.core.$ZodType<Record<string, string>> {
  return z.strictObject({
    [tableSchema.partitionKey]: table.pk,
    [tableSchema.sortKey]: table.sk,
    [index.partitionKey]: partition,
    [index.sortKey]: z.string(),
  });
}
