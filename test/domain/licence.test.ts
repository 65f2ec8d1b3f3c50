import { describe, expect, it } from 'vitest';
import { decideAdvance, decideCheckout } from '../../functions/domain/lending';
import {
  chooseLicence,
  compareLicences,
  isUsable,
  licenceState,
  summarisePool,
  termsProblem,
} from '../../functions/domain/licence';
import { day, fakeClock, hour, licence, patron, title, waitingHold } from './lending-fixtures';

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

describe('deactivated licences and the queue', () => {
  it('a deactivated licence lends nothing and counts for no copies; its state says why', () => {
    // Prepare
    const now = fakeClock().now();
    const off = { ...licence('off', { concurrency: 2 }), deactivatedAt: now.toISOString() };
    const spent = { ...licence('spent', { checkouts: 1 }), checkoutsLeft: 0 };
    const old = licence('old', { expires: new Date(now.getTime() - 1).toISOString() });
    // Act + Assess
    expect(isUsable(off, now)).toBe(false);
    expect(chooseLicence([off], now)).toBeUndefined();
    expect(summarisePool([off, licence('on')], now)).toEqual({ copies: 1, available: 1 });
    expect([off, spent, old, licence('on')].map((l) => licenceState(l, now))).toEqual([
      'inactive',
      'exhausted',
      'expired',
      'active',
    ]);
  });

  it('new terms must not have expired already', () => {
    const now = fakeClock().now();
    const terms = { concurrency: 1, checkouts: null, loanLength: null };
    expect(termsProblem({ ...terms, expires: now.toISOString() }, now)?.field).toBe('terms.expires');
    expect(termsProblem({ ...terms, expires: new Date(now.getTime() + day).toISOString() }, now)).toBe(
      undefined,
    );
  });

  it('free slots go to the first in line, in order, from the licence a loan would use, for 72 hours', () => {
    // Prepare
    const now = fakeClock().now();
    const pool = [licence('two', { concurrency: 2 }), { ...licence('none'), available: 0 }];
    const waiting = [1, 2, 3].map((seq) => waitingHold({ id: `h-${seq}`, patronId: `p-${seq}`, seq }));
    // Act
    const reservations = decideAdvance({ title: title(pool), waiting, now });
    // Assess
    expect(reservations.map((r) => [r.hold.id, r.hold.status, r.licence.id])).toEqual([
      ['h-1', 'reserved', 'two'],
      ['h-2', 'reserved', 'two'],
    ]);
    expect(reservations[0]!.hold.reservedUntil).toBe(new Date(now.getTime() + 72 * hour).toISOString());
    expect(decideAdvance({ title: title(pool, { status: 'withdrawn' }), waiting, now })).toEqual([]);
  });

  it('an unlimited licence takes everyone waiting', () => {
    const now = fakeClock().now();
    const waiting = [1, 2, 3].map((seq) => waitingHold({ id: `h-${seq}`, seq }));
    const reservations = decideAdvance({
      title: title([licence('any', { concurrency: null })]),
      waiting,
      now,
    });
    expect(reservations).toHaveLength(3);
  });

  it('a reservation made before its licence was deactivated is still honoured', () => {
    // Prepare
    const now = fakeClock().now();
    const off = { ...licence('lic-1'), available: 0, deactivatedAt: now.toISOString() };
    const reserved = waitingHold({
      patronId: 'p-a',
      status: 'reserved',
      licenceId: 'lic-1',
      reservedUntil: new Date(now.getTime() + hour).toISOString(),
    });
    // Act
    const decision = decideCheckout({
      title: title([off], { queue: { waiting: 0, reserved: 1, lastSeq: 1, suspended: 0 } }),
      patron: patron({ holdOfTitle: reserved }),
      now,
      loanId: 'l-9',
    });
    // Assess
    expect(decision).toMatchObject({ takesSlot: false, consumesHold: { id: reserved.id } });
  });
});
