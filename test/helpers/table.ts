import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { TestStack } from './stack';

type Item = NonNullable<ScanCommandOutput['Items']>[number];

/** Every item of the test stack's table, in key order: what a request really stored (or left behind). */
export async function scanTable(stack: Pick<TestStack, 'clients' | 'config'>): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stack.clients.documents.send(
      new ScanCommand({ TableName: stack.config.TABLE_NAME, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) =>
    `${String(a.pk)}${String(a.sk)}`.localeCompare(`${String(b.pk)}${String(b.sk)}`),
  );
}
