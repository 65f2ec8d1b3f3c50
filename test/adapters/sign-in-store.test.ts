import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockedUntil, lockoutPolicy } from '../../functions/domain/sign-in';
import { createTestStack, type TestStack } from '../helpers/stack';
import { sessionKeys } from '../../functions/adapters/keys';

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

describe('PIN check reservations in DynamoDB', () => {
  it('of 40 concurrent reservations exactly 5 are granted, numbered 1–5; the refused are counted and lock', async () => {
    // Prepare
    const now = new Date('2030-02-01T00:00:00Z');
    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => stack.deps.loginAttempts.reserve('R-BURST', now)),
    );
    // Assess
    const granted = outcomes.flatMap((o) => (o.granted ? [o.check] : []));
    expect(granted.sort()).toEqual([1, 2, 3, 4, 5]);
    for (const o of outcomes) if (!o.granted) expect(o.until).toBeGreaterThan(now.getTime());
    const attempts = await stack.deps.loginAttempts.get('R-BURST');
    expect(attempts).toMatchObject({ checks: 5, failures: 35, windowStartedAt: now.getTime() });
    expect(lockedUntil(attempts, now)).toBe(now.getTime() + lockoutPolicy.lockSeconds * 1000);
  });

  it('a lock refuses: counted while its window is open, not after; once it is over a new window starts', async () => {
    // Prepare: the window opens at `start`, the 5th failure locks 10 minutes later (until 25 minutes in)
    const start = new Date('2030-02-02T00:00:00Z');
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    await stack.deps.loginAttempts.recordFailure('R-LOCK', start);
    for (let i = 1; i < lockoutPolicy.maxFailures; i++)
      await stack.deps.loginAttempts.recordFailure('R-LOCK', at(10));
    const lockEnds = at(10 + lockoutPolicy.lockSeconds / 60).getTime();
    // Act
    const inWindow = await stack.deps.loginAttempts.reserve('R-LOCK', at(12));
    const countedInWindow = (await stack.deps.loginAttempts.get('R-LOCK'))?.failures;
    const afterWindow = await stack.deps.loginAttempts.reserve('R-LOCK', at(20));
    const countedAfterWindow = (await stack.deps.loginAttempts.get('R-LOCK'))?.failures;
    const afterLock = await stack.deps.loginAttempts.reserve('R-LOCK', new Date(lockEnds));
    // Assess
    expect(inWindow).toEqual({ granted: false, until: lockEnds });
    expect(countedInWindow).toBe(lockoutPolicy.maxFailures + 1);
    expect(afterWindow).toEqual({ granted: false, until: lockEnds });
    expect(countedAfterWindow).toBe(lockoutPolicy.maxFailures + 1);
    expect(afterLock).toEqual({ granted: true, check: 1 });
    expect(await stack.deps.loginAttempts.get('R-LOCK')).toMatchObject({
      checks: 1,
      failures: 0,
      windowStartedAt: lockEnds,
    });
  });

  it('a success that held the only check drops the record; otherwise it forgives failures, not checks', async () => {
    // Prepare
    const now = new Date('2030-02-03T00:00:00Z');
    await stack.deps.loginAttempts.reserve('R-ALONE', now);
    await stack.deps.loginAttempts.reserve('R-SHARED', now);
    await stack.deps.loginAttempts.recordFailure('R-SHARED', now);
    await stack.deps.loginAttempts.reserve('R-SHARED', now);
    // Act
    await stack.deps.loginAttempts.clear('R-ALONE', now);
    await stack.deps.loginAttempts.clear('R-SHARED', now);
    // Assess
    expect(await stack.deps.loginAttempts.get('R-ALONE')).toBeUndefined();
    expect(await stack.deps.loginAttempts.get('R-SHARED')).toMatchObject({ checks: 2, failures: 0 });
    const left = await Promise.all(
      Array.from({ length: 5 }, () => stack.deps.loginAttempts.reserve('R-SHARED', now)),
    );
    expect(left.filter((o) => o.granted)).toHaveLength(lockoutPolicy.maxChecks - 2);
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
    const tokenItem = Items.find(
      (i) => String(i.pk).startsWith(sessionKeys.refreshToken('').pk) && i.patronId === 'p-hash',
    );
    expect(tokenItem?.ttl).toEqual(expect.any(Number));
  });
});
