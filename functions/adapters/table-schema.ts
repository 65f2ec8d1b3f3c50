/**
 * The one description of the single DynamoDB table: key schema, indexes and TTL attribute.
 * Local mode creates the table from it; the CDK stack builds the real table from it.
 * Item keys themselves are built in ./keys.ts only.
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after (idempotency records, replay guards, sessions). */
  ttlAttribute: 'ttl',
  globalSecondaryIndexes: [
    /** gsi1: collections listed in order (e.g. all titles by sort title, a title's holds in queue order). */
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** gsi2: secondary lookups (e.g. a patron's loans and holds, loans by expiry for the sweeper). */
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** gsi3: a title's running loans by their end (how long a hold will wait). */
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

export type IndexName = (typeof tableSchema.globalSecondaryIndexes)[number]['indexName'];
