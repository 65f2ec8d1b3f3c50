import type { ItemKey } from './keys';

/** Strips the storage attributes (keys, index keys, ttl) from a stored item, leaving the record. */
export function recordOf<T>(item: Record<string, unknown>): T {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1p,
    gsi1sk: _g1s,
    gsi2pk: _g2p,
    gsi2sk: _g2s,
    gsi3pk: _g3p,
    gsi3sk: _g3s,
    ttl: _ttl,
    ...record
  } = item;
  return record as T;
}

export function isConditionalCheckFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export function isTransactionCancelled(error: unknown): error is Error & {
  CancellationReasons?: { Code?: string }[];
} {
  return error instanceof Error && error.name === 'TransactionCanceledException';
}

export type StoredItem<T> = T & ItemKey & Record<string, unknown>;
