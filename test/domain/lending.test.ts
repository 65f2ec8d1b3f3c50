import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../functions/domain/caller';
import {
  availabilityOf,
  decideAccess,
  decideCancelHold,
  decideCheckout,
  decideExpiry,
  decideLapse,
  decidePlaceHold,
  decideRelease,
  decideRenew,
  decideResumeHold,
  decideReturn,
  decideSuspendHold,
  denialMetricOf,
  estimatedWaitDays,
} from '../../functions/domain/lending';
import { activeLoan, day, fakeClock, hour, licence, patron, title, waitingHold } from './lending-fixtures';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { code: (error as { code: string }).code, status: (error as { status: number }).status };
  }
  return undefined;
};

describe('checkout', () => {
  it('lends a free copy for 14 days by default, taking a slot and a checkout', () => {
    // Prepare
    const clock = fakeClock();
    const lic = licence('lic-1', { concurrency: 2, checkouts: 5 });
    // Act
    const decision = decideCheckout({
      title: title([lic]),
      patron: patron(),
      now: clock.now(),
      loanId: 'l-1',
    });
    // Assess
    expect(decision.loan).toMatchObject({ id: 'l-1', licenceId: 'lic-1', status: 'active', days: 14 });
    expect(Date.parse(decision.loan.expiresAt) - clock.now().getTime()).toBe(14 * day);
    expect(decision).toMatchObject({ takesSlot: true, usesCheckout: true });
  });

  it.each([7, 21] as const)('lends for %i days when asked', (days) => {
    const clock = fakeClock();
    const decision = decideCheckout({
      title: title([licence('lic-1')]),
      patron: patron(),
      days,
      now: clock.now(),
      loanId: 'l',
    });
    expect(Date.parse(decision.loan.expiresAt) - clock.now().getTime()).toBe(days * day);
  });

  it('caps the loan at the licence expiry and at its longest loan', () => {
    // Prepare
    const clock = fakeClock();
    const expires = new Date(clock.now().getTime() + 3 * day).toISOString();
    // Act
    const capped = decideCheckout({
      title: title([licence('lic-1', { expires })]),
      patron: patron(),
      now: clock.now(),
      loanId: 'l',
    });
    const short = decideCheckout({
      title: title([licence('lic-1', { loanLength: 5 * 86_400 })]),
      patron: patron(),
      now: clock.now(),
      loanId: 'l',
    });
    // Assess
    expect(capped.loan.expiresAt).toBe(expires);
    expect(Date.parse(short.loan.expiresAt) - clock.now().getTime()).toBe(5 * day);
  });

  it('refuses with the stable codes', () => {
    const now = fakeClock().now();
    const lic = licence('lic-1');
    const busy = { ...lic, available: 0 };
    const spent = { ...licence('lic-2', { checkouts: 2 }), checkoutsLeft: 0 };
    const go =
      (t = title([lic]), p = patron()) =>
      () =>
        decideCheckout({ title: t, patron: p, now, loanId: 'l' });
    expect(code(go(title([lic], { status: 'withdrawn' })))).toEqual({ code: 'TITLE_WITHDRAWN', status: 409 });
    expect(code(go(title([lic], { access: 'open' })))).toEqual({ code: 'NOT_LENDABLE', status: 409 });
    expect(code(go(undefined, patron({ status: 'blocked' }))))?.toMatchObject({ code: 'ACCOUNT_BLOCKED' });
    expect(code(go(undefined, patron({ loanOfTitle: activeLoan() }))))?.toEqual({
      code: 'ALREADY_ON_LOAN',
      status: 409,
    });
    expect(code(go(undefined, patron({ loans: 10 })))).toEqual({ code: 'LOAN_LIMIT_REACHED', status: 403 });
    expect(code(go(title([busy])))).toEqual({ code: 'NO_COPY_AVAILABLE', status: 409 });
    expect(code(go(title([spent])))).toEqual({ code: 'NO_COPY_AVAILABLE', status: 409 });
    expect(code(go(title([]))))?.toEqual({ code: 'NO_COPY_AVAILABLE', status: 409 });
  });

  it('keeps a free copy for the queue: only the patron whose hold is reserved may take it', () => {
    // Prepare
    const clock = fakeClock();
    const lic = licence('lic-1', { checkouts: 4 });
    const reserved = waitingHold({
      patronId: 'p-a',
      status: 'reserved',
      licenceId: 'lic-1',
      reservedUntil: new Date(clock.now().getTime() + 72 * hour).toISOString(),
    });
    const t = title([{ ...lic, available: 0 }], {
      queue: { waiting: 1, reserved: 1, lastSeq: 2, suspended: 0 },
    });
    // Act
    const forA = decideCheckout({
      title: t,
      patron: patron({ holdOfTitle: reserved }),
      now: clock.now(),
      loanId: 'l',
    });
    const forB = () =>
      decideCheckout({ title: t, patron: patron({ patronId: 'p-b' }), now: clock.now(), loanId: 'l' });
    // Assess
    expect(forA).toMatchObject({ takesSlot: false, usesCheckout: true, consumesHold: { id: 'h-1' } });
    expect(code(forB)).toEqual({ code: 'NO_COPY_AVAILABLE', status: 409 });
  });

  it('counts refusals for statistics: Limit_Exceeded when busy, No_License without a usable licence', () => {
    const now = fakeClock().now();
    const attempt = (t: ReturnType<typeof title>) => {
      try {
        decideCheckout({ title: t, patron: patron(), now, loanId: 'l' });
      } catch (error) {
        return denialMetricOf(error);
      }
    };
    expect(attempt(title([{ ...licence('a'), available: 0 }]))).toBe('Limit_Exceeded');
    expect(attempt(title([{ ...licence('a', { checkouts: 1 }), checkoutsLeft: 0 }]))).toBe('No_License');
  });
});

describe('return, expiry and the queue', () => {
  it('frees the slot when nobody waits, and keeps it for the first in line when someone does', () => {
    // Prepare
    const clock = fakeClock();
    const lic = { ...licence('lic-1'), available: 0 };
    const loan = activeLoan();
    // Act
    const alone = decideReturn({
      loan,
      loanId: loan.id,
      patronId: 'p-a',
      licence: lic,
      firstWaiting: undefined,
      now: clock.now(),
    });
    const queued = decideReturn({
      loan,
      loanId: loan.id,
      patronId: 'p-a',
      licence: lic,
      firstWaiting: waitingHold(),
      now: clock.now(),
    });
    // Assess
    expect(alone.loan).toMatchObject({ status: 'returned', endedAt: clock.now().toISOString() });
    expect(alone.release).toEqual({ kind: 'free' });
    expect(queued.release).toMatchObject({
      kind: 'reserve',
      hold: {
        id: 'h-1',
        status: 'reserved',
        licenceId: 'lic-1',
        reservedUntil: new Date(clock.now().getTime() + 72 * hour).toISOString(),
      },
    });
  });

  it('will not return another patron’s loan (404) or one already ended', () => {
    const now = fakeClock().now();
    const base = { loanId: 'l-1', licence: licence('lic-1'), firstWaiting: undefined, now };
    expect(code(() => decideReturn({ ...base, loan: activeLoan(), patronId: 'p-b' }))).toEqual({
      code: 'LOAN_NOT_FOUND',
      status: 404,
    });
    expect(
      code(() => decideReturn({ ...base, loan: activeLoan({ status: 'returned' }), patronId: 'p-a' })),
    )?.toMatchObject({
      code: 'LOAN_ENDED',
    });
  });

  it('ends a loan at expiresAt: nothing to do before, expired after, once', () => {
    // Prepare
    const clock = fakeClock();
    const loan = activeLoan({ expiresAt: new Date(clock.now().getTime() + day).toISOString() });
    const lic = { ...licence('lic-1'), available: 0 };
    // Act
    const early = decideExpiry({ loan, licence: lic, firstWaiting: undefined, now: clock.now() });
    clock.advance(day);
    const due = decideExpiry({ loan, licence: lic, firstWaiting: undefined, now: clock.now() });
    const again = decideExpiry({ loan: due!.loan, licence: lic, firstWaiting: undefined, now: clock.now() });
    // Assess
    expect(early).toBeUndefined();
    expect(due?.loan).toMatchObject({ status: 'expired', endedAt: loan.expiresAt });
    expect(again).toBeUndefined();
  });

  it('does not keep a slot of a licence that can no longer lend for anybody', () => {
    const now = fakeClock().now();
    const spent = { ...licence('lic-1', { checkouts: 1 }), checkoutsLeft: 0, available: 0 };
    expect(decideRelease({ licence: spent, firstWaiting: waitingHold(), now })).toEqual({ kind: 'free' });
  });

  it('lapses a reservation missed for 72 hours and passes the copy on', () => {
    // Prepare
    const clock = fakeClock();
    const reserved = waitingHold({
      status: 'reserved',
      licenceId: 'lic-1',
      reservedUntil: new Date(clock.now().getTime() + 72 * hour).toISOString(),
    });
    const next = waitingHold({ id: 'h-2', patronId: 'p-c', seq: 2 });
    const lic = { ...licence('lic-1'), available: 0 };
    // Act
    const tooEarly = decideLapse({ hold: reserved, licence: lic, firstWaiting: next, now: clock.now() });
    clock.advance(72 * hour);
    const lapsed = decideLapse({ hold: reserved, licence: lic, firstWaiting: next, now: clock.now() });
    // Assess
    expect(tooEarly).toBeUndefined();
    expect(lapsed?.hold.status).toBe('lapsed');
    expect(lapsed?.release).toMatchObject({ kind: 'reserve', hold: { id: 'h-2', status: 'reserved' } });
  });
});

describe('renew', () => {
  const queue = { waiting: 0, reserved: 0, lastSeq: 0, suspended: 0 };

  it('extends from the current end by the loan period, using a checkout of a limited licence', () => {
    // Prepare
    const clock = fakeClock();
    const loan = activeLoan();
    const lic = licence('lic-1', { checkouts: 3 });
    // Act
    const renewed = decideRenew({
      loan,
      loanId: loan.id,
      patronId: 'p-a',
      licence: lic,
      queue,
      now: clock.now(),
    });
    // Assess
    expect(Date.parse(renewed.loan.expiresAt) - Date.parse(loan.expiresAt)).toBe(14 * day);
    expect(renewed).toMatchObject({ usesCheckout: true, loan: { renewals: 1 } });
  });

  it('is refused while someone waits, after the end, for another patron, and past the licence', () => {
    const clock = fakeClock();
    const loan = activeLoan();
    const lic = licence('lic-1');
    const base = { loan, loanId: loan.id, patronId: 'p-a', licence: lic, queue, now: clock.now() };
    expect(code(() => decideRenew({ ...base, queue: { ...queue, waiting: 1 } }))).toEqual({
      code: 'HOLDS_WAITING',
      status: 409,
    });
    expect(code(() => decideRenew({ ...base, patronId: 'p-b' })))?.toMatchObject({ status: 404 });
    expect(code(() => decideRenew({ ...base, now: new Date(loan.expiresAt) })))?.toMatchObject({
      code: 'LOAN_EXPIRED',
    });
    const endsWithLoan = licence('lic-1', { expires: loan.expiresAt });
    expect(code(() => decideRenew({ ...base, licence: endsWithLoan })))?.toMatchObject({
      code: 'LICENCE_EXHAUSTED',
    });
  });
});

describe('holds', () => {
  it('queues a hold with the next number when no copy is free', () => {
    const now = fakeClock().now();
    const t = title([{ ...licence('lic-1'), available: 0 }], {
      queue: { waiting: 2, reserved: 0, lastSeq: 7, suspended: 0 },
    });
    const hold = decidePlaceHold({ title: t, patron: patron(), now, holdId: 'h-9' });
    expect(hold).toMatchObject({ id: 'h-9', status: 'waiting', seq: 8, placedAt: now.toISOString() });
  });

  it('refuses a hold while a copy is free, twice, on a title on loan, and over the limit', () => {
    const now = fakeClock().now();
    const busy = title([{ ...licence('lic-1'), available: 0 }]);
    const go =
      (t = busy, p = patron()) =>
      () =>
        decidePlaceHold({ title: t, patron: p, now, holdId: 'h' });
    expect(code(go(title([licence('lic-1')])))).toEqual({ code: 'COPY_AVAILABLE', status: 409 });
    expect(code(go(busy, patron({ holdOfTitle: waitingHold() }))))?.toMatchObject({
      code: 'ALREADY_ON_HOLD',
    });
    expect(code(go(busy, patron({ loanOfTitle: activeLoan() }))))?.toMatchObject({ code: 'ALREADY_ON_LOAN' });
    expect(code(go(busy, patron({ holds: 10 })))).toEqual({ code: 'HOLD_LIMIT_REACHED', status: 403 });
  });

  it('cancels a waiting hold without touching slots, and passes on the slot of a reserved one', () => {
    const now = fakeClock().now();
    const lic = { ...licence('lic-1'), available: 0 };
    const base = { holdId: 'h-1', licence: lic, firstWaiting: waitingHold({ id: 'h-2', seq: 2 }), now };
    const waiting = decideCancelHold({ ...base, hold: waitingHold({ patronId: 'p-a' }), patronId: 'p-a' });
    const reserved = decideCancelHold({
      ...base,
      hold: waitingHold({ patronId: 'p-a', status: 'reserved', licenceId: 'lic-1' }),
      patronId: 'p-a',
    });
    expect(waiting).toEqual({ hold: expect.objectContaining({ status: 'cancelled' }) });
    expect(reserved.release).toMatchObject({ kind: 'reserve', hold: { id: 'h-2' } });
    expect(code(() => decideCancelHold({ ...base, hold: waitingHold(), patronId: 'p-a' })))?.toMatchObject({
      status: 404,
    });
  });

  it('refuses a hold on a title with no licence whose terms allow a loan (NOT_LENDABLE); a deactivated one counts', () => {
    const now = fakeClock().now();
    const usedUp = { ...licence('lic-1', { checkouts: 1 }), checkoutsLeft: 0, available: 1 };
    const expired = {
      ...licence('lic-2', { expires: new Date(now.getTime() - day).toISOString() }),
      available: 0,
    };
    const paused = { ...licence('lic-3'), available: 1, deactivatedAt: now.toISOString() };
    const go = (t: ReturnType<typeof title>) => () =>
      decidePlaceHold({ title: t, patron: patron(), now, holdId: 'h' });
    expect(code(go(title([])))).toEqual({ code: 'NOT_LENDABLE', status: 409 });
    expect(code(go(title([usedUp, expired])))).toEqual({ code: 'NOT_LENDABLE', status: 409 });
    expect(go(title([paused]))()).toMatchObject({ status: 'waiting' });
  });

  it('suspends a waiting hold for 7, 14 or 28 days, keeping its place; a freed copy passes over it', () => {
    // Prepare
    const now = fakeClock().now();
    const a = waitingHold({ id: 'h-a', patronId: 'p-a', seq: 1 });
    // Act
    const suspended = decideSuspendHold({ hold: a, holdId: 'h-a', patronId: 'p-a', days: 14, now });
    // Assess
    expect(suspended).toMatchObject({ status: 'waiting', seq: 1 });
    expect(Date.parse(suspended.suspendedUntil!) - now.getTime()).toBe(14 * day);
    const lic = { ...licence('lic-1'), available: 0 };
    expect(decideRelease({ licence: lic, firstWaiting: suspended, now })).toEqual({ kind: 'free' });
    // once it has run out it is served, and the reservation ends the stored suspension
    const later = new Date(Date.parse(suspended.suspendedUntil!));
    const release = decideRelease({ licence: lic, firstWaiting: suspended, now: later });
    expect(release).toMatchObject({ kind: 'reserve', endsSuspension: suspended.suspendedUntil });
    expect(release.kind === 'reserve' && release.hold.suspendedUntil).toBeUndefined();
  });

  it('refuses to suspend a reserved hold (HOLD_RESERVED) or someone else’s (404); resumes only what is suspended', () => {
    const now = fakeClock().now();
    const reserved = waitingHold({ patronId: 'p-a', status: 'reserved', licenceId: 'lic-1' });
    const go =
      (hold: ReturnType<typeof waitingHold>, patronId = 'p-a') =>
      () =>
        decideSuspendHold({ hold, holdId: hold.id, patronId, days: 7, now });
    expect(code(go(reserved))).toEqual({ code: 'HOLD_RESERVED', status: 409 });
    expect(code(go(waitingHold({ patronId: 'p-a' }), 'p-b'))).toEqual({
      code: 'HOLD_NOT_FOUND',
      status: 404,
    });
    const suspended = go(waitingHold({ patronId: 'p-a' }))();
    expect(
      decideResumeHold({ hold: suspended, holdId: suspended.id, patronId: 'p-a', now }),
    ).not.toHaveProperty('suspendedUntil');
    expect(
      decideResumeHold({ hold: waitingHold({ patronId: 'p-a' }), holdId: 'h', patronId: 'p-a', now }),
    ).toBeUndefined();
    // the system resumes a suspension only once it has run out
    expect(decideResumeHold({ hold: suspended, holdId: suspended.id, now })).toBeUndefined();
    const over = new Date(Date.parse(suspended.suspendedUntil!));
    expect(decideResumeHold({ hold: suspended, holdId: suspended.id, now: over })).toMatchObject({
      status: 'waiting',
    });
  });

  it('lets a free copy go to whoever asks while only suspended holds wait; the patron’s own suspended hold is fulfilled', () => {
    const now = fakeClock().now();
    const t = title([licence('lic-1')], { queue: { waiting: 1, reserved: 0, lastSeq: 1, suspended: 1 } });
    const own = {
      ...waitingHold({ patronId: 'p-a' }),
      suspendedUntil: new Date(now.getTime() + day).toISOString(),
    };
    expect(decideCheckout({ title: t, patron: patron(), now, loanId: 'l' }).consumesHold).toBeUndefined();
    expect(
      decideCheckout({ title: t, patron: patron({ patronId: 'p-a', holdOfTitle: own }), now, loanId: 'l' })
        .consumesHold,
    ).toMatchObject({ id: own.id });
    const inLine = { ...t, queue: { ...t.queue, suspended: 0 } };
    expect(code(() => decideCheckout({ title: inLine, patron: patron(), now, loanId: 'l' }))).toEqual({
      code: 'NO_COPY_AVAILABLE',
      status: 409,
    });
  });

  describe('estimated wait of a hold', () => {
    const now = new Date('2026-06-01T09:00:00.000Z');
    const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

    it('follows the due dates of the running loans, then one default loan per turn', () => {
      // Prepare: two copies, out until day 3 and day 10
      const picture = { copies: 2, loanEnds: [inDays(10), inDays(3)], reserved: 0 };
      // Act
      const waits = [1, 2, 3, 4, 5].map((position) => estimatedWaitDays(position, picture, now));
      // Assess: 3, 10, then each copy again 14 days later (3 + 14, 10 + 14, 3 + 28)
      expect(waits).toEqual([3, 10, 17, 24, 31]);
    });

    it('counts a reserved copy as out for one more loan, and a free copy as free now', () => {
      expect(estimatedWaitDays(1, { copies: 1, loanEnds: [], reserved: 1 }, now)).toBe(14);
      expect(estimatedWaitDays(1, { copies: 2, loanEnds: [inDays(5)], reserved: 0 }, now)).toBe(0);
      expect(estimatedWaitDays(2, { copies: 2, loanEnds: [inDays(5)], reserved: 0 }, now)).toBe(5);
    });

    it('treats a loan past its end (not yet swept) as ending now, and rounds part days up', () => {
      expect(estimatedWaitDays(1, { copies: 1, loanEnds: [inDays(-2)], reserved: 0 }, now)).toBe(0);
      expect(estimatedWaitDays(1, { copies: 1, loanEnds: [inDays(0.25)], reserved: 0 }, now)).toBe(1);
    });

    it('needs no wait with unlimited copies or before the queue; guesses a loan per place with no copy', () => {
      expect(estimatedWaitDays(4, { copies: null, loanEnds: [], reserved: 0 }, now)).toBe(0);
      expect(estimatedWaitDays(0, { copies: 1, loanEnds: [inDays(9)], reserved: 0 }, now)).toBe(0);
      expect(estimatedWaitDays(3, { copies: 0, loanEnds: [], reserved: 0 }, now)).toBe(42);
    });

    it('never promises a copy sooner to someone further back in line', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 5 }),
          fc.array(fc.integer({ min: -5, max: 30 }), { maxLength: 5 }),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 1, max: 30 }),
          (copies, ends, reserved, position) => {
            const picture = { copies, loanEnds: ends.map(inDays), reserved };
            const here = estimatedWaitDays(position, picture, now);
            const behind = estimatedWaitDays(position + 1, picture, now);
            return here >= 0 && behind >= here;
          },
        ),
      );
    });
  });
});

describe('access', () => {
  const caller: Caller = { patronId: 'p-a', roles: ['patron'] };
  const licensed = { id: 't-1', access: 'licensed' as const, status: 'active' as const };

  it('lets anyone read an open title, with the configured link lifetime', () => {
    const now = fakeClock().now();
    const open = { ...licensed, access: 'open' as const };
    expect(
      decideAccess({ title: open, caller: undefined, loan: undefined, linkTtlSeconds: 300, now }),
    ).toEqual({
      expiresIn: 300,
    });
  });

  it('needs an active loan of the caller, and never links past its end', () => {
    // Prepare
    const clock = fakeClock();
    const loan = activeLoan({ expiresAt: new Date(clock.now().getTime() + 120_000).toISOString() });
    const go =
      (l: typeof loan | undefined = loan, who: Caller | undefined = caller) =>
      () =>
        decideAccess({ title: licensed, caller: who, loan: l, linkTtlSeconds: 300, now: clock.now() });
    // Act / Assess
    expect(go()()).toEqual({ expiresIn: 120 });
    expect(code(go(activeLoan({ status: 'returned' })))).toEqual({ code: 'NO_ACTIVE_LOAN', status: 403 });
    const anonymous = () =>
      decideAccess({ title: licensed, caller: undefined, loan, linkTtlSeconds: 300, now: clock.now() });
    expect(code(anonymous)).toMatchObject({ status: 401 });
    expect(code(go(loan, { ...caller, patronId: 'p-b' })))?.toMatchObject({ code: 'NO_ACTIVE_LOAN' });
    clock.advance(120_000);
    expect(code(go())).toEqual({ code: 'LOAN_EXPIRED', status: 403 });
  });

  it('reaches partner titles only with an entitlement', () => {
    const now = fakeClock().now();
    const partner = { ...licensed, access: 'partner' as const };
    const base = { title: partner, loan: undefined, linkTtlSeconds: 300, now };
    expect(code(() => decideAccess({ ...base, caller }))).toEqual({ code: 'NOT_ENTITLED', status: 403 });
    expect(decideAccess({ ...base, caller: { ...caller, entitlements: ['member'] } })).toEqual({
      expiresIn: 300,
    });
  });
});

describe('availability', () => {
  it('shows copies, free copies and holds; none free while holds wait', () => {
    const now = fakeClock().now();
    const lic = { ...licence('lic-1', { concurrency: 3 }), available: 1 };
    expect(availabilityOf(title([lic]), now)).toEqual({
      copies: 3,
      available: 1,
      holds: 0,
      access: 'licensed',
    });
    expect(
      availabilityOf(title([lic], { queue: { waiting: 2, reserved: 1, lastSeq: 3, suspended: 0 } }), now),
    ).toEqual({
      copies: 3,
      available: 0,
      holds: 3,
      access: 'licensed',
    });
    const spent = { ...licence('lic-2', { checkouts: 1 }), checkoutsLeft: 0 };
    expect(availabilityOf(title([spent]), now)).toMatchObject({ copies: 0, available: 0 });
  });
});
