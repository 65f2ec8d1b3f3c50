import { createHash, timingSafeEqual } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { SushiCredential, SushiCredentialStore } from '../domain/counter-ports';
import { indexQuery, sushiCredentialEntity, type StoredSushiCredential } from './entities';
import { sushiCredentialKeys } from './keys';
import { indexes } from './table-schema';

const digest = (apiKey: string) => createHash('sha256').update(apiKey, 'utf8').digest();

/** SUSHI harvesters' credentials; the api_key is stored only as its SHA-256 and compared in constant time. */
export class DynamoSushiCredentials implements SushiCredentialStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async issue(credential: SushiCredential, apiKey: string): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: sushiCredentialEntity.toItem({ ...credential, apiKeyHash: digest(apiKey).toString('base64') }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async list(): Promise<SushiCredential[]> {
    const credentials: SushiCredential[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...indexQuery(indexes.gsi1, sushiCredentialKeys.listPartition),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) credentials.push(publicOf(sushiCredentialEntity.fromItem(item)));
      start = page.LastEvaluatedKey;
    } while (start);
    return credentials;
  }

  async revoke(requestorId: string): Promise<boolean> {
    const { Attributes } = await this.documents.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: sushiCredentialEntity.key(requestorId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined;
  }

  async check(
    requestorId: string,
    apiKey: string,
  ): Promise<{ credential: SushiCredential; keyMatches: boolean } | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: sushiCredentialEntity.key(requestorId),
        ConsistentRead: true,
      }),
    );
    const found = sushiCredentialEntity.fromMaybe(Item);
    if (!found) return undefined;
    const stored = Buffer.from(found.apiKeyHash, 'base64');
    const given = digest(apiKey);
    const keyMatches = stored.length === given.length && timingSafeEqual(stored, given);
    return { credential: publicOf(found), keyMatches };
  }
}

function publicOf(stored: StoredSushiCredential): SushiCredential {
  const { apiKeyHash: _hash, ...record } = stored;
  return record;
}
