import type { ItemKey } from './keys';

export function isConditionalCheckFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export function isTransactionCancelled(error: unknown): error is Error & {
  CancellationReasons?: { Code?: string }[];
} {
  return error instanceof Error && error.name === 'TransactionCanceledException';
}

export type StoredItem<T> = T & ItemKey & Record<string, unknown>;
