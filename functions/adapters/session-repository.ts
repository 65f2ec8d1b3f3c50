import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { RefreshOutcome, SessionHolder, SessionRepository } from '../domain/sign-in';
import { isConditionalCheckFailure, isTransactionCancelled } from './dynamo-item';
import { refreshTokenEntity, sessionEntity, type StoredRefreshToken, type StoredSession } from './entities';
import { sessionKeys } from './keys';

/** Refresh tokens live 30 days from when they are issued (each rotation issues a new one). */
export const refreshTokenSeconds = 30 * 24 * 60 * 60;

/** 256 bits of randomness, base64url: 43 characters. */
const newRefreshToken = () => randomBytes(32).toString('base64url');
const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

function holderOf(session: StoredSession): SessionHolder {
  return session.partnerId !== undefined && session.entitlements !== undefined
    ? {
        patronId: session.patronId,
        member: { partnerId: session.partnerId, entitlements: session.entitlements },
      }
    : { patronId: session.patronId };
}

/** A refresh token lives `refreshTokenSeconds`, but never past the end of its family. */
function tokenExpiry(now: Date, endsAt: number | undefined): number {
  const expiresAt = now.getTime() + refreshTokenSeconds * 1000;
  return endsAt === undefined ? expiresAt : Math.min(expiresAt, endsAt);
}

/**
 * Refresh-token families in DynamoDB. A family (SESSION#id) records which of its tokens is current; each token
 * (REFRESH#sha256) points to its family. Rotation swaps the current token in one transaction conditioned on the
 * old one still being current, so of two concurrent refreshes with the same token only one can win; the other
 * is treated as a reuse and revokes the family. Rotated tokens are kept until they expire, to recognise reuse.
 * A partner member's family also keeps the partner and entitlements (there is no patron record to read at
 * refresh) and an absolute end (`endsAt`).
 */
export class DynamoSessionRepository implements SessionRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async start(holder: SessionHolder, now: Date, options: { endsAt?: Date } = {}) {
    const { patronId } = holder;
    const sessionId = randomUUID();
    const refreshToken = newRefreshToken();
    const tokenHash = hashOf(refreshToken);
    const endsAt = options.endsAt?.getTime();
    if (endsAt !== undefined && endsAt <= now.getTime()) throw new RangeError('endsAt must be in the future');
    const expiresAt = tokenExpiry(now, endsAt);
    const ttl = Math.ceil(expiresAt / 1000);
    await this.documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...sessionKeys.item(sessionId),
                patronId,
                ...(holder.member
                  ? { partnerId: holder.member.partnerId, entitlements: holder.member.entitlements }
                  : {}),
                ...(endsAt !== undefined ? { endsAt } : {}),
                status: 'active',
                currentTokenHash: tokenHash,
                createdAt: now.toISOString(),
                ttl,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: { ...sessionKeys.refreshToken(tokenHash), sessionId, patronId, expiresAt, ttl },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return { sessionId, refreshToken, expiresAt: new Date(expiresAt) };
  }

  async rotate(refreshToken: string, now: Date): Promise<RefreshOutcome> {
    const oldHash = hashOf(refreshToken);
    const token = await this.getToken(oldHash);
    if (!token || token.expiresAt <= now.getTime()) return { outcome: 'invalid' };
    const session = await this.getSession(token.sessionId);
    if (!session || session.status !== 'active') return { outcome: 'invalid' };
    if (session.endsAt !== undefined && session.endsAt <= now.getTime()) return { outcome: 'invalid' };
    if (session.currentTokenHash !== oldHash) {
      await this.revokeSession(token.sessionId, now);
      return { outcome: 'reused' };
    }

    const next = newRefreshToken();
    const nextHash = hashOf(next);
    const expiresAt = tokenExpiry(now, session.endsAt);
    const ttl = Math.ceil(expiresAt / 1000);
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: sessionKeys.item(token.sessionId),
                UpdateExpression: 'SET currentTokenHash = :next, rotatedAt = :now, #ttl = :ttl',
                ConditionExpression: '#status = :active AND currentTokenHash = :old',
                ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
                ExpressionAttributeValues: {
                  ':next': nextHash,
                  ':old': oldHash,
                  ':active': 'active',
                  ':now': now.toISOString(),
                  ':ttl': ttl,
                },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...sessionKeys.refreshToken(nextHash),
                  sessionId: token.sessionId,
                  patronId: token.patronId,
                  expiresAt,
                  ttl,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (
        isTransactionCancelled(error) &&
        error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
      ) {
        // Another request rotated (or revoked) the same token first: that is a second use of it.
        await this.revokeSession(token.sessionId, now);
        return { outcome: 'reused' };
      }
      throw error;
    }
    return {
      outcome: 'rotated',
      holder: holderOf(session),
      sessionId: token.sessionId,
      refreshToken: next,
      expiresAt: new Date(expiresAt),
    };
  }

  async revoke(refreshToken: string, now: Date): Promise<boolean> {
    const token = await this.getToken(hashOf(refreshToken));
    if (!token) return false;
    await this.revokeSession(token.sessionId, now);
    return true;
  }

  private async getToken(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: sessionKeys.refreshToken(tokenHash),
        ConsistentRead: true,
      }),
    );
    return refreshTokenEntity.fromMaybe(Item);
  }

  private async getSession(sessionId: string): Promise<StoredSession | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: sessionKeys.item(sessionId), ConsistentRead: true }),
    );
    return sessionEntity.fromMaybe(Item);
  }

  private async revokeSession(sessionId: string, now: Date): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sessionKeys.item(sessionId),
          UpdateExpression: 'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':revoked': 'revoked', ':now': now.toISOString() },
        }),
      );
    } catch (error) {
      // The family is gone already (expired and deleted): nothing left to revoke.
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }
}
