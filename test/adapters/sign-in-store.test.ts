import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockedUntil, lockoutPolicy } from '../../functions/domain/sign-in';
import { createTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack();
});

afterAll(async () => {
  await stack?.destroy();
});

describe('failed sign-ins in DynamoDB', () => {
  it('counts 25 concurrent failures exactly and locks once', async () => {
    // Prepare
    const now = new Date();
    // Act
    await Promise.all(
      Array.from({ length: 25 }, () => stack.deps.loginAttempts.recordFailure('C-RACE', now)),
    );
    // Assess
    const attempts = await stack.deps.loginAttempts.get('C-RACE');
    expect(attempts?.failures).toBe(25);
    expect(attempts?.lockedUntil).toBe(now.getTime() + lockoutPolicy.lockSeconds * 1000);
    expect(lockedUntil(attempts, now)).toBe(attempts?.lockedUntil);
  });

  it('starts a new window once the old one is over, once, even when racing', async () => {
    // Prepare
    const start = new Date('2030-01-01T00:00:00Z');
    await stack.deps.loginAttempts.recordFailure('C-WINDOW', start);
    await stack.deps.loginAttempts.recordFailure('C-WINDOW', start);
    const later = new Date(start.getTime() + lockoutPolicy.windowSeconds * 1000 + 1);
    // Act
    await Promise.all(
      Array.from({ length: 4 }, () => stack.deps.loginAttempts.recordFailure('C-WINDOW', later)),
    );
    // Assess
    const attempts = await stack.deps.loginAttempts.get('C-WINDOW');
    expect(attempts).toEqual({ failures: 4, windowStartedAt: later.getTime() });
    expect(lockedUntil(attempts, later)).toBeUndefined();
  });

  it('clear does not lift a lock', async () => {
    const now = new Date();
    for (let i = 0; i < lockoutPolicy.maxFailures; i++)
      await stack.deps.loginAttempts.recordFailure('C-LOCK', now);
    await stack.deps.loginAttempts.clear('C-LOCK', now);
    expect(lockedUntil(await stack.deps.loginAttempts.get('C-LOCK'), now)).toBeDefined();
  });
});

describe('refresh-token families in DynamoDB', () => {
  it('of concurrent refreshes with one token, at most one rotates and the family ends revoked', async () => {
    // Prepare
    const now = new Date();
    const { refreshToken } = await stack.deps.sessions.start({ patronId: 'p-race' }, now);
    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => stack.deps.sessions.rotate(refreshToken, now)),
    );
    // Assess
    const rotated = outcomes.filter((o) => o.outcome === 'rotated');
    expect(rotated.length).toBeLessThanOrEqual(1);
    expect(outcomes.some((o) => o.outcome === 'reused')).toBe(true);
    for (const o of rotated) {
      if (o.outcome === 'rotated')
        expect((await stack.deps.sessions.rotate(o.refreshToken, now)).outcome).toBe('invalid');
    }
  });

  it('stores only hashes of refresh tokens', async () => {
    const { refreshToken } = await stack.deps.sessions.start({ patronId: 'p-hash' }, new Date());
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const { Items = [] } = await stack.clients.documents.send(
      new ScanCommand({ TableName: stack.config.TABLE_NAME }),
    );
    expect(JSON.stringify(Items)).not.toContain(refreshToken);
    const tokenItem = Items.find((i) => String(i.pk).startsWith('REFRESH#') && i.patronId === 'p-hash');
    expect(tokenItem?.ttl).toEqual(expect.any(Number));
  });
});
