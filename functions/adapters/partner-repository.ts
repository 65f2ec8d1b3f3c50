import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/errors';
import type { Partner } from '../domain/partner';
import type { Clock, PartnerRepository } from '../domain/ports';
import { isTransactionCancelled } from './dynamo-item';
import { partnerKeys } from './keys';
import { indexQuery, partnerEntity } from './entities';
import { indexes } from './table-schema';

/**
 * Partners in the single table: the record (listed on gsi1) and an issuer claim item that maps the exact
 * issuer to the partner and keeps issuers unique. Both are written in one transaction.
 *
 * `list()` is read on every request that may be campus access, so it is cached in the process for a short
 * time (`listCacheSeconds`); writes through this repository drop the cache at once.
 */
export class DynamoPartnerRepository implements PartnerRepository {
  private cached: { partners: Partner[]; until: number } | undefined;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly listCacheSeconds = 30,
  ) {}

  async get(partnerId: string): Promise<Partner | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: partnerKeys.item(partnerId), ConsistentRead: true }),
    );
    return partnerEntity.fromMaybe(Item);
  }

  async getByIssuer(issuer: string): Promise<Partner | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: partnerKeys.issuer(issuer) }),
    );
    if (typeof Item?.partnerId !== 'string') return undefined;
    const partner = await this.get(Item.partnerId);
    // The claim item and the record are written together; compare anyway so a stale claim never matches.
    return partner?.issuer === issuer ? partner : undefined;
  }

  async list(): Promise<Partner[]> {
    const now = this.clock.now().getTime();
    if (this.cached && this.cached.until > now) return this.cached.partners;
    const partners: Partner[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...indexQuery(indexes.gsi1, partnerKeys.listPartition),
          ExclusiveStartKey: startKey,
        }),
      );
      partners.push(...(page.Items ?? []).map((item) => partnerEntity.fromItem(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    this.cached = { partners, until: now + this.listCacheSeconds * 1000 };
    return partners;
  }

  private recordItem(partner: Partner) {
    return partnerEntity.toItem(partner);
  }

  async create(partner: Partner): Promise<boolean> {
    this.cached = undefined;
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...partnerKeys.issuer(partner.issuer), partnerId: partner.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: this.recordItem(partner),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async update(partner: Partner, previous: Partner): Promise<void> {
    this.cached = undefined;
    const issuerMoves = partner.issuer !== previous.issuer;
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: this.recordItem(partner),
                ConditionExpression: 'updatedAt = :seen',
                ExpressionAttributeValues: { ':seen': previous.updatedAt },
              },
            },
            ...(issuerMoves
              ? [
                  {
                    Delete: {
                      TableName: this.tableName,
                      Key: partnerKeys.issuer(previous.issuer),
                      ConditionExpression: 'partnerId = :id',
                      ExpressionAttributeValues: { ':id': partner.id },
                    },
                  },
                  {
                    Put: {
                      TableName: this.tableName,
                      Item: { ...partnerKeys.issuer(partner.issuer), partnerId: partner.id },
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                ]
              : []),
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError({
          code: 'PARTNER_CONFLICT',
          detail:
            'The partner changed meanwhile, or another partner already uses this issuer. Read it again.',
          context: { partnerId: partner.id },
        });
      }
      throw error;
    }
  }
}

function isConditionFailure(error: unknown): boolean {
  return (
    isTransactionCancelled(error) &&
    (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')
  );
}
