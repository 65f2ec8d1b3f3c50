import type { IdSource } from '../../functions/domain/ids';

/**
 * Ids a test can predict: version-4-shaped UUIDs numbered from `first` (…-000000000001, …-000000000002, …).
 * Only for tests whose records do not meet other tests' records in a shared table.
 */
export function sequentialIds(first = 1): IdSource & { readonly issued: number } {
  let next = first;
  return {
    uuid: () => `00000000-0000-4000-8000-${(next++).toString(16).padStart(12, '0')}`,
    get issued() {
      return next - first;
    },
  };
}
