import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AddressAttemptLimiter } from '../domain/sign-in';
import { loginAttemptKeys } from './keys';

export interface AddressLimit {
  /** Attempts allowed per address and window. */
  maxAttempts: number;
  windowSeconds: number;
}

/**
 * Sign-in attempts per client address, one counter item per address and fixed window (aligned to the epoch, so
 * the key is known without a read): a single unconditional `ADD`, so concurrent attempts each get their own
 * number and none is lost; the attempt is allowed when its number is within the limit. Refused attempts are
 * counted too, which keeps the item's count an honest record of what the address sent.
 */
export class DynamoAddressAttemptLimiter implements AddressAttemptLimiter {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly limit: AddressLimit,
  ) {}

  async take(address: string, now: Date): Promise<{ allowed: true } | { allowed: false; until: number }> {
    const windowMs = this.limit.windowSeconds * 1000;
    const windowStart = Math.floor(now.getTime() / windowMs) * windowMs;
    const windowEnd = windowStart + windowMs;
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: loginAttemptKeys.address(address, windowStart),
        UpdateExpression: 'ADD attempts :one SET #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': Math.ceil(windowEnd / 1000) + 3600 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const attempts = Number(Attributes?.attempts ?? 1);
    return attempts <= this.limit.maxAttempts ? { allowed: true } : { allowed: false, until: windowEnd };
  }
}
