/**
 * The one description of the single DynamoDB table: key schema, indexes and TTL attribute.
 * Local mode creates the table from it; the CDK stack builds the real table from it.
 * Item keys themselves are built in ./keys.ts only; the entities in ./entities.ts say which index each item
 * kind is listed in, by these names (the only place an index name is spelled out).
 */
export const indexes = {
  /** gsi1: collections listed in order (e.g. all titles by sort title, a title's holds in queue order). */
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** gsi2: secondary lookups (e.g. a patron's loans and holds, loans by expiry for the sweeper). */
  gsi2: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  /** gsi3: a title's running loans by their end (how long a hold will wait). */
  gsi3: { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
} as const;

export type IndexName = keyof typeof indexes;
export type IndexDefinition = (typeof indexes)[IndexName];

/** The table's index names, in the order the table declares them. */
export const indexNames = Object.keys(indexes) as IndexName[];

export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after (idempotency records, replay guards, sessions). */
  ttlAttribute: 'ttl',
  globalSecondaryIndexes: [indexes.gsi1, indexes.gsi2, indexes.gsi3],
} as const;
