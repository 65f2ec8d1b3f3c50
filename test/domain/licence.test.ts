import { describe, expect, it } from 'vitest';
import { chooseLicence, compareLicences, isUsable, summarisePool } from '../../functions/domain/licence';
import { day, fakeClock, licence } from './lending-fixtures';

describe('licence pool', () => {
  it('draws soonest-expiring first, then perpetual, then checkout-limited with most left', () => {
    // Prepare
    const now = fakeClock().now();
    const inTen = new Date(now.getTime() + 10 * day).toISOString();
    const inTwo = new Date(now.getTime() + 2 * day).toISOString();
    const pool = [
      licence('limited-5', { checkouts: 5 }),
      licence('expires-10d', { expires: inTen }),
      licence('perpetual', {}),
      licence('limited-9', { checkouts: 9 }),
      licence('expires-2d', { expires: inTwo }),
    ];
    // Act
    const order = [...pool].sort(compareLicences).map((l) => l.id);
    // Assess
    expect(order).toEqual(['expires-2d', 'expires-10d', 'perpetual', 'limited-9', 'limited-5']);
    expect(chooseLicence(pool, now)?.id).toBe('expires-2d');
  });

  it('skips licences that have expired, have no checkouts left or no free slot', () => {
    // Prepare
    const now = fakeClock().now();
    const expired = licence('expired', { expires: new Date(now.getTime() - 1).toISOString() });
    const spent = { ...licence('spent', { checkouts: 3 }), checkoutsLeft: 0 };
    const busy = { ...licence('busy', { concurrency: 2 }), available: 0 };
    const free = licence('free', { checkouts: 1 });
    // Act / Assess
    expect(isUsable(expired, now)).toBe(false);
    expect(isUsable(spent, now)).toBe(false);
    expect(chooseLicence([expired, spent, busy], now)).toBeUndefined();
    expect(chooseLicence([expired, spent, busy, free], now)?.id).toBe('free');
  });

  it('treats null terms as unlimited: any number of copies, never counted down', () => {
    // Prepare
    const now = fakeClock().now();
    const unlimited = licence('u', { concurrency: null });
    // Act
    const summary = summarisePool([unlimited, licence('one')], now);
    // Assess
    expect(unlimited.available).toBeNull();
    expect(unlimited.checkoutsLeft).toBeNull();
    expect(summary).toEqual({ copies: null, available: null });
    expect(summarisePool([licence('a', { concurrency: 3 }), licence('b')], now)).toEqual({
      copies: 4,
      available: 4,
    });
  });
});
