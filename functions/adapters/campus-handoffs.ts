import { createHash, randomBytes } from 'node:crypto';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CampusHandoffs } from '../domain/campus-sign-in';
import type { Caller } from '../domain/caller';
import { isConditionalCheckFailure } from './dynamo-item';
import { campusHandoffEntity } from './entities';
import { campusHandoffKeys } from './keys';

/**
 * One-time hand-off codes of campus sign-in in the single table. Only the code's SHA-256 is stored, so a read
 * of the table cannot be turned into a sign-in; redeeming deletes the item in the same conditional write that
 * reads it, so two redemptions of one code never both succeed. TTL (`ttl`) cleans up codes never redeemed.
 */
export class DynamoCampusHandoffs implements CampusHandoffs {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async issue(member: Caller, returnPath: string, expiresAt: Date): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...campusHandoffKeys.code(hashOf(code)),
          patronId: member.patronId,
          partnerId: member.partnerId,
          entitlements: member.entitlements ?? [],
          returnPath,
          ttl: Math.ceil(expiresAt.getTime() / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return code;
  }

  async redeem(code: string, now: Date): Promise<{ member: Caller; returnPath: string } | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(code)) return undefined;
    try {
      const { Attributes } = await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: campusHandoffKeys.code(hashOf(code)),
          ConditionExpression: 'attribute_exists(pk) AND #ttl >= :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const handoff = campusHandoffEntity.fromMaybe(Attributes);
      if (!handoff) return undefined;
      return {
        member: {
          patronId: handoff.patronId,
          roles: [],
          partnerId: handoff.partnerId,
          entitlements: handoff.entitlements,
        },
        returnPath: handoff.returnPath,
      };
    } catch (error) {
      if (isConditionalCheckFailure(error)) return undefined;
      throw error;
    }
  }
}

const hashOf = (code: string) => createHash('sha256').update(code).digest('base64url');
