import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patronLendingKeys } from '../../functions/adapters/keys';
import { isUsable, type LicenceTerms } from '../../functions/domain/licence';
import { addLicence, addPatron, addTitle, day, FakeClock, hour } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * Model test: random sequences of lending commands run against the real adapter on DynamoDB Local and,
 * step by step, against a plain reference model. The model keeps no counters: free slots, queue sizes and
 * loan counts are derived from the list of loans and holds, so a counter the adapter keeps wrong shows up.
 * After every step the invariants of functions/domain/README.md are checked on what is stored.
 * Holds may be suspended ("deliver later") and resumed: a suspended hold keeps its place and lets copies pass
 * until its suspension ends, from when on it is served as any waiting hold whether or not the sweeper has run.
 */

const clock = new FakeClock('2026-04-01T06:00:00.000Z');
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  await stack.deps.lending.sweep();
});
afterAll(() => stack.destroy());

// ---- the reference model ----------------------------------------------------------------------

interface MLicence {
  id: string;
  concurrency: number | null;
  checkoutsLeft: number | null;
  expires: number | null;
  loanLength: number | null;
}
interface MLoan {
  id: string;
  patron: number;
  title: number;
  licenceId: string;
  status: 'active' | 'returned' | 'expired';
  expiresAt: number;
  days: 7 | 14 | 21;
}
interface MHold {
  id: string;
  patron: number;
  title: number;
  seq: number;
  status: 'waiting' | 'reserved' | 'fulfilled' | 'cancelled' | 'lapsed';
  reservedUntil?: number;
  licenceId?: string;
  /** The suspension the hold is stored with (it may have run out and not yet been resumed by a write). */
  suspendedUntil?: number;
}
interface Model {
  titles: { licences: MLicence[]; lastSeq: number }[];
  loans: MLoan[];
  holds: MHold[];
}

const loanLimit = 2;
const holdLimit = 2;
const patronCount = 3;
const dayMs = day;

const licenceKinds: Partial<LicenceTerms>[][] = [
  [{ concurrency: 1 }],
  [{ concurrency: 2, checkouts: 3 }],
  [
    { concurrency: 1, expires: 'in-6-days' },
    { concurrency: 1, checkouts: 2 },
  ],
  [{ concurrency: 1, loanLength: 3 * 86_400, checkouts: 4 }],
  [{ concurrency: null, checkouts: 2 }],
];

const usable = (l: MLicence, now: number) =>
  (l.expires === null || l.expires > now) && (l.checkoutsLeft === null || l.checkoutsLeft > 0);
const taken = (m: Model, licenceId: string) =>
  m.loans.filter((l) => l.licenceId === licenceId && l.status === 'active').length +
  m.holds.filter((h) => h.licenceId === licenceId && h.status === 'reserved').length;
const free = (m: Model, l: MLicence) => (l.concurrency === null ? Infinity : l.concurrency - taken(m, l.id));
const waitingOf = (m: Model, t: number) =>
  m.holds.filter((h) => h.title === t && h.status === 'waiting').sort((a, b) => a.seq - b.seq);
const isSuspended = (h: MHold, now: number) => h.suspendedUntil !== undefined && h.suspendedUntil > now;
/** Waiting holds that a copy would go to now, in queue order. */
const inLineOf = (m: Model, t: number, now: number) => waitingOf(m, t).filter((h) => !isSuspended(h, now));
const liveHold = (m: Model, p: number, t: number) =>
  m.holds.find((h) => h.patron === p && h.title === t && (h.status === 'waiting' || h.status === 'reserved'));
const activeLoan = (m: Model, p: number, t: number) =>
  m.loans.find((l) => l.patron === p && l.title === t && l.status === 'active');
const licenceOf = (m: Model, t: number, id: string | undefined) =>
  m.titles[t]!.licences.find((l) => l.id === id);

function order(a: MLicence, b: MLicence): number {
  const g = (l: MLicence) => (l.expires !== null ? 0 : l.checkoutsLeft === null ? 1 : 2);
  if (g(a) !== g(b)) return g(a) - g(b);
  if (g(a) === 0 && a.expires !== b.expires) return a.expires! - b.expires!;
  if (g(a) === 2 && a.checkoutsLeft !== b.checkoutsLeft) return b.checkoutsLeft! - a.checkoutsLeft!;
  return a.id < b.id ? -1 : 1;
}

function reserve(hold: MHold, licence: MLicence, now: number) {
  hold.status = 'reserved';
  hold.reservedUntil = now + 72 * hour;
  hold.licenceId = licence.id;
  delete hold.suspendedUntil;
}

/** A slot given back goes to the first waiting hold that is not suspended, if its licence can still lend. */
function release(m: Model, t: number, licenceId: string, now: number) {
  const licence = licenceOf(m, t, licenceId);
  const first = inLineOf(m, t, now)[0];
  if (licence && first && licence.concurrency !== null && usable(licence, now)) reserve(first, licence, now);
}

/** Free slots reserved for the holds in line, first first, from the licence a loan would be drawn from. */
function advance(m: Model, t: number, now: number) {
  for (const hold of inLineOf(m, t, now)) {
    const licence = m.titles[t]!.licences.filter((l) => usable(l, now) && free(m, l) > 0).sort(order)[0];
    if (!licence) return;
    reserve(hold, licence, now);
  }
}

/** A suspension that has run out is resumed by a write, and free copies go to the queue. */
function endSuspension(m: Model, hold: MHold, now: number) {
  if (hold.status === 'waiting') delete hold.suspendedUntil;
  advance(m, hold.title, now);
}

/**
 * What a checkout or a new hold does first when a copy is free and suspensions that have run out are still
 * stored: resumes them (each then passing free copies to the queue), so that no newcomer takes the copy.
 */
function settle(m: Model, t: number, now: number) {
  const stored = waitingOf(m, t).filter((h) => h.suspendedUntil !== undefined);
  const freeCopy = m.titles[t]!.licences.some((l) => usable(l, now) && free(m, l) > 0);
  if (stored.length === 0 || !freeCopy) return;
  for (const hold of stored.filter((h) => !isSuspended(h, now))) endSuspension(m, hold, now);
}

function endLoan(m: Model, loan: MLoan, now: number) {
  loan.status = loan.expiresAt > now ? 'returned' : 'expired';
  release(m, loan.title, loan.licenceId, now);
}

/** The model's expectation: a refusal code, or success and how to record it once the real id is known. */
type Expectation =
  { code: string } | { code: 'OK'; apply: (id: string) => void; expiresAt?: number } | { code: 'SKIP' };

// ---- commands ---------------------------------------------------------------------------------

type Command =
  | { kind: 'checkout'; p: number; t: number; days: 7 | 14 | 21 }
  | { kind: 'return'; p: number; t: number; others: boolean }
  | { kind: 'renew'; p: number; t: number }
  | { kind: 'hold'; p: number; t: number }
  | { kind: 'cancel'; p: number; t: number }
  | { kind: 'suspend'; p: number; t: number; days: 7 | 14 | 28 }
  | { kind: 'resume'; p: number; t: number }
  | { kind: 'sweep' }
  | { kind: 'advance'; ms: number };

const patronArb = fc.integer({ min: 0, max: patronCount - 1 });
const titleArb = fc.integer({ min: 0, max: 1 });
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('checkout' as const),
      p: patronArb,
      t: titleArb,
      days: fc.constantFrom(7 as const, 14 as const, 21 as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('return' as const),
      p: patronArb,
      t: titleArb,
      others: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('renew' as const), p: patronArb, t: titleArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hold' as const), p: patronArb, t: titleArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), p: patronArb, t: titleArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('suspend' as const),
      p: patronArb,
      t: titleArb,
      days: fc.constantFrom(7 as const, 14 as const, 28 as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), p: patronArb, t: titleArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.constantFrom(hour, day, 3 * day, 8 * day, 15 * day),
    }),
  },
);

function expectCheckout(m: Model, c: { p: number; t: number; days: 7 | 14 | 21 }, now: number): Expectation {
  let loan = activeLoan(m, c.p, c.t);
  if (loan && loan.expiresAt <= now) {
    endLoan(m, loan, now); // a checkout meeting an expired loan ends it first
    loan = undefined;
  }
  settle(m, c.t, now);
  if (loan) return { code: 'ALREADY_ON_LOAN' };
  if (m.loans.filter((l) => l.patron === c.p && l.status === 'active').length >= loanLimit)
    return { code: 'LOAN_LIMIT_REACHED' };
  const hold = liveHold(m, c.p, c.t);
  const reserved = hold?.status === 'reserved' && hold.reservedUntil! > now ? hold : undefined;
  let licence: MLicence | undefined;
  if (reserved) {
    licence = licenceOf(m, c.t, reserved.licenceId);
    if (!licence || !usable(licence, now)) return { code: 'NO_COPY_AVAILABLE' };
  } else {
    if (!m.titles[c.t]!.licences.some((l) => usable(l, now))) return { code: 'NO_COPY_AVAILABLE' };
    if (inLineOf(m, c.t, now).length > 0) return { code: 'NO_COPY_AVAILABLE' };
    licence = m.titles[c.t]!.licences.filter((l) => usable(l, now) && free(m, l) > 0).sort(order)[0];
    if (!licence) return { code: 'NO_COPY_AVAILABLE' };
  }
  let expiresAt = now + c.days * dayMs;
  if (licence.loanLength !== null) expiresAt = Math.min(expiresAt, now + licence.loanLength * 1000);
  if (licence.expires !== null) expiresAt = Math.min(expiresAt, licence.expires);
  const chosen = licence;
  return {
    code: 'OK',
    expiresAt,
    apply: (id) => {
      if (chosen.checkoutsLeft !== null) chosen.checkoutsLeft -= 1;
      // the loan fulfils the patron's hold: the reserved one, or their own suspended one
      if (hold) hold.status = 'fulfilled';
      m.loans.push({
        id,
        patron: c.p,
        title: c.t,
        licenceId: chosen.id,
        status: 'active',
        expiresAt,
        days: c.days,
      });
    },
  };
}

function expectRenew(m: Model, loan: MLoan, now: number): Expectation {
  if (loan.status !== 'active') return { code: 'LOAN_ENDED' };
  if (loan.expiresAt <= now) return { code: 'LOAN_EXPIRED' };
  if (waitingOf(m, loan.title).length > 0) return { code: 'HOLDS_WAITING' };
  const licence = licenceOf(m, loan.title, loan.licenceId)!;
  if (!usable(licence, now)) return { code: 'LICENCE_EXHAUSTED' };
  let expiresAt = loan.expiresAt + loan.days * dayMs;
  if (licence.loanLength !== null) expiresAt = Math.min(expiresAt, now + licence.loanLength * 1000);
  if (licence.expires !== null) expiresAt = Math.min(expiresAt, licence.expires);
  if (expiresAt <= loan.expiresAt) return { code: 'LICENCE_EXHAUSTED' };
  return {
    code: 'OK',
    expiresAt,
    apply: () => {
      loan.expiresAt = expiresAt;
      if (licence.checkoutsLeft !== null) licence.checkoutsLeft -= 1;
    },
  };
}

function expectHold(m: Model, c: { p: number; t: number }, now: number): Expectation {
  settle(m, c.t, now);
  if (activeLoan(m, c.p, c.t)) return { code: 'ALREADY_ON_LOAN' };
  if (liveHold(m, c.p, c.t)) return { code: 'ALREADY_ON_HOLD' };
  if (!m.titles[c.t]!.licences.some((l) => usable(l, now))) return { code: 'NOT_LENDABLE' };
  const live = m.holds.filter((h) => h.patron === c.p && (h.status === 'waiting' || h.status === 'reserved'));
  if (live.length >= holdLimit) return { code: 'HOLD_LIMIT_REACHED' };
  const title = m.titles[c.t]!;
  if (inLineOf(m, c.t, now).length === 0 && title.licences.some((l) => usable(l, now) && free(m, l) > 0))
    return { code: 'COPY_AVAILABLE' };
  return {
    code: 'OK',
    apply: (id) => {
      title.lastSeq += 1;
      m.holds.push({ id, patron: c.p, title: c.t, seq: title.lastSeq, status: 'waiting' });
    },
  };
}

/** The sweeper, in the order it reads the due index: by instant, holds before loans at the same instant. */
function sweepModel(m: Model, now: number) {
  const due = [
    ...m.loans
      .filter((l) => l.status === 'active' && l.expiresAt <= now)
      .map((l) => ({ at: l.expiresAt, key: `LOAN#${l.id}`, run: () => endLoan(m, l, now) })),
    ...m.holds
      .filter((h) => h.status === 'reserved' && h.reservedUntil! <= now)
      .map((h) => ({
        at: h.reservedUntil!,
        key: `HOLD#${h.id}`,
        run: () => {
          h.status = 'lapsed';
          release(m, h.title, h.licenceId!, now);
        },
      })),
    ...m.holds
      .filter((h) => h.status === 'waiting' && h.suspendedUntil !== undefined && h.suspendedUntil <= now)
      .map((h) => ({
        at: h.suspendedUntil!,
        key: `SUSPENSION#${h.id}`,
        run: () => endSuspension(m, h, now),
      })),
  ].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
  for (const item of due) item.run();
}

// ---- the property -----------------------------------------------------------------------------

interface World {
  titleIds: string[];
  patronIds: string[];
  licenceIds: string[][];
}

async function setUp(kinds: number[]): Promise<{ world: World; model: Model }> {
  const now = clock.now().getTime();
  const world: World = { titleIds: [], patronIds: [], licenceIds: [] };
  const model: Model = { titles: [], loans: [], holds: [] };
  for (const kind of kinds) {
    const title = await addTitle(stack);
    const licences: MLicence[] = [];
    for (const [i, terms] of licenceKinds[kind]!.entries()) {
      const expires = terms.expires ? new Date(now + 6 * dayMs).toISOString() : null;
      const licence = await addLicence(stack, title.id, { ...terms, expires }, `lic-${i}-${title.id}`);
      licences.push({
        id: licence.id,
        concurrency: licence.terms.concurrency,
        checkoutsLeft: licence.checkoutsLeft,
        expires: expires ? Date.parse(expires) : null,
        loanLength: licence.terms.loanLength,
      });
    }
    world.titleIds.push(title.id);
    world.licenceIds.push(licences.map((l) => l.id));
    model.titles.push({ licences, lastSeq: 0 });
  }
  for (let p = 0; p < patronCount; p++) {
    world.patronIds.push((await addPatron(stack, { loanLimit, holdLimit })).id);
  }
  return { world, model };
}

const isUsableNow = (licence: Parameters<typeof isUsable>[0], now: number) =>
  isUsable(licence, new Date(now));

const codeOf = (error: unknown) => (error as { code?: string }).code ?? String(error);

async function attempt<T>(run: () => Promise<T>): Promise<{ code: string; value?: T }> {
  try {
    return { code: 'OK', value: await run() };
  } catch (error) {
    return { code: codeOf(error) };
  }
}

async function step(world: World, m: Model, c: Command): Promise<void> {
  const lending = stack.deps.lending;
  const now = clock.now().getTime();
  const patronId = 'p' in c ? world.patronIds[c.p]! : '';
  const titleId = 't' in c ? world.titleIds[c.t]! : '';
  switch (c.kind) {
    case 'advance':
      clock.advance(c.ms);
      return;
    case 'sweep':
      sweepModel(m, now);
      await lending.sweep();
      // Once the sweeper has been by, the queue goes first: no copy is free while a hold is in line for it.
      for (const t of world.titleIds.keys()) {
        const state = (await lending.titleLending(world.titleIds[t]!))!;
        const freeCopy = state.licences.some(
          (l) => isUsableNow(l, now) && (l.available === null || l.available > 0),
        );
        if (inLineOf(m, t, now).length > 0)
          expect(freeCopy, `free copy with holds in line, title ${t}`).toBe(false);
      }
      return;
    case 'checkout': {
      const expected = expectCheckout(m, c, now);
      const real = await attempt(() => lending.checkout({ patronId, titleId, days: c.days }));
      expect(real.code, `checkout ${JSON.stringify(c)}`).toBe(expected.code);
      if ('apply' in expected) {
        expect(Date.parse(real.value!.loan.expiresAt)).toBe(expected.expiresAt);
        expected.apply(real.value!.loan.id);
      }
      return;
    }
    case 'return': {
      const mine = activeLoan(m, c.p, c.t);
      const theirs = m.loans.find((l) => l.title === c.t && l.patron !== c.p);
      const loan = c.others ? theirs : mine;
      if (!loan) return;
      const real = await attempt(() => lending.returnLoan({ patronId, loanId: loan.id }));
      if (c.others) {
        expect(real.code).toBe('LOAN_NOT_FOUND');
        return;
      }
      expect(real.code, `return ${JSON.stringify(c)}`).toBe('OK');
      endLoan(m, loan, now);
      return;
    }
    case 'renew': {
      const loan = activeLoan(m, c.p, c.t);
      if (!loan) return;
      const expected = expectRenew(m, loan, now);
      const real = await attempt(() => lending.renew({ patronId, loanId: loan.id }));
      expect(real.code, `renew ${JSON.stringify(c)}`).toBe(expected.code);
      if ('apply' in expected) {
        expect(Date.parse(real.value!.expiresAt)).toBe(expected.expiresAt);
        expected.apply('');
      }
      return;
    }
    case 'hold': {
      const expected = expectHold(m, c, now);
      const real = await attempt(() => lending.placeHold({ patronId, titleId }));
      expect(real.code, `hold ${JSON.stringify(c)}`).toBe(expected.code);
      if ('apply' in expected) expected.apply(real.value!.id);
      return;
    }
    case 'cancel': {
      const hold = liveHold(m, c.p, c.t);
      if (!hold) return;
      const real = await attempt(() => lending.cancelHold({ patronId, holdId: hold.id }));
      expect(real.code, `cancel ${JSON.stringify(c)}`).toBe('OK');
      const wasReserved = hold.status === 'reserved';
      hold.status = 'cancelled';
      if (wasReserved) release(m, hold.title, hold.licenceId!, now);
      return;
    }
    case 'suspend': {
      const hold = liveHold(m, c.p, c.t);
      if (!hold) return;
      const real = await attempt(() => lending.suspendHold({ patronId, holdId: hold.id, days: c.days }));
      const expected = hold.status === 'reserved' ? 'HOLD_RESERVED' : 'OK';
      expect(real.code, `suspend ${JSON.stringify(c)}`).toBe(expected);
      if (expected === 'OK') hold.suspendedUntil = now + c.days * dayMs;
      return;
    }
    case 'resume': {
      const hold = liveHold(m, c.p, c.t);
      if (!hold) return;
      const real = await attempt(() => lending.resumeHold({ patronId, holdId: hold.id }));
      expect(real.code, `resume ${JSON.stringify(c)}`).toBe('OK');
      endSuspension(m, hold, now);
      return;
    }
  }
}

/** Compares what is stored with the model, and checks functions/domain/README.md's invariants on what is stored. */
async function verify(world: World, m: Model): Promise<void> {
  const lending = stack.deps.lending;
  const loansByPatron = await Promise.all(world.patronIds.map((p) => lending.loansOf(p)));
  const holdsByPatron = await Promise.all(world.patronIds.map((p) => lending.holdsOf(p)));
  const realLoans = loansByPatron.flat();
  const realHolds = holdsByPatron.flat();

  for (const [t, titleId] of world.titleIds.entries()) {
    const state = (await lending.titleLending(titleId))!;
    const waiting = waitingOf(m, t);
    expect(state.queue).toEqual({
      waiting: waiting.length,
      reserved: m.holds.filter((h) => h.title === t && h.status === 'reserved').length,
      lastSeq: m.titles[t]!.lastSeq,
      suspended: waiting.filter((h) => h.suspendedUntil !== undefined).length,
    });
    for (const modelled of m.titles[t]!.licences) {
      const licence = state.licences.find((l) => l.id === modelled.id)!;
      expect(licence.checkoutsLeft).toBe(modelled.checkoutsLeft);
      // Invariants: checkouts left never negative; free slots within 0..concurrency;
      // loans out + reserved holds + free slots = concurrency.
      if (licence.checkoutsLeft !== null) expect(licence.checkoutsLeft).toBeGreaterThanOrEqual(0);
      if (licence.terms.concurrency !== null) {
        const out = realLoans.filter((l) => l.licenceId === licence.id).length;
        const reserved = realHolds.filter(
          (h) => h.licenceId === licence.id && h.status === 'reserved',
        ).length;
        expect(licence.available).toBeGreaterThanOrEqual(0);
        expect(licence.available).toBeLessThanOrEqual(licence.terms.concurrency);
        expect(out + reserved + licence.available!).toBe(licence.terms.concurrency);
        expect(licence.available).toBe(free(m, modelled));
      }
    }
  }
  for (const [p, patronId] of world.patronIds.entries()) {
    const loans = loansByPatron[p]!;
    // Invariants: never over the loan limit; never two active loans of one title.
    expect(loans.length).toBeLessThanOrEqual(loanLimit);
    expect(new Set(loans.map((l) => l.titleId)).size).toBe(loans.length);
    const expectedLoans = m.loans.filter((l) => l.patron === p && l.status === 'active');
    expect(loans.map((l) => [l.id, Date.parse(l.expiresAt)]).sort()).toEqual(
      expectedLoans.map((l) => [l.id, l.expiresAt]).sort(),
    );
    const expectedHolds = m.holds.filter(
      (h) => h.patron === p && (h.status === 'waiting' || h.status === 'reserved'),
    );
    expect(
      holdsByPatron[p]!.map((h) => ({
        id: h.id,
        status: h.status,
        position: h.position,
        licenceId: h.licenceId,
        reservedUntil: h.reservedUntil ? Date.parse(h.reservedUntil) : undefined,
        suspendedUntil: h.suspendedUntil ? Date.parse(h.suspendedUntil) : undefined,
      })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    ).toEqual(
      expectedHolds
        .map((h) => ({
          id: h.id,
          status: h.status,
          position: h.status === 'waiting' ? waitingOf(m, h.title).indexOf(h) + 1 : 0,
          licenceId: h.licenceId,
          reservedUntil: h.reservedUntil,
          // shown only while it lasts
          suspendedUntil: isSuspended(h, clock.now().getTime()) ? h.suspendedUntil : undefined,
        }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    const { Item: counters } = await stack.clients.documents.send(
      new GetCommand({
        TableName: stack.config.TABLE_NAME,
        Key: patronLendingKeys.counters(patronId),
        ConsistentRead: true,
      }),
    );
    expect(Number(counters?.loans ?? 0)).toBe(expectedLoans.length);
    expect(Number(counters?.holds ?? 0)).toBe(expectedHolds.length);
  }
}

describe('lending against a reference model (fast-check, DynamoDB Local)', () => {
  it('matches the model step by step and keeps the lending invariants', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(
          fc.integer({ min: 0, max: licenceKinds.length - 1 }),
          fc.integer({ min: 0, max: licenceKinds.length - 1 }),
        ),
        fc.array(commandArb, { minLength: 5, maxLength: 25 }),
        async (kinds, commands) => {
          const { world, model } = await setUp(kinds);
          for (const command of commands) {
            await step(world, model, command);
            await verify(world, model);
          }
        },
      ),
      { numRuns: 40, endOnFailure: true },
    );
  }, 240_000);

  it('keeps to the model where queues are long and holds are suspended and resumed', async () => {
    // One-copy titles, and mostly the commands that make a queue, suspend in it and move it on.
    const hold = (kind: 'hold' | 'cancel' | 'resume') =>
      fc.record({ kind: fc.constant(kind), p: patronArb, t: titleArb });
    const queueHeavy: fc.Arbitrary<Command> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('checkout' as const),
          p: patronArb,
          t: titleArb,
          days: fc.constant(14 as const),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('return' as const),
          p: patronArb,
          t: titleArb,
          others: fc.constant(false),
        }),
      },
      { weight: 4, arbitrary: hold('hold') },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('suspend' as const),
          p: patronArb,
          t: titleArb,
          days: fc.constantFrom(7 as const, 14 as const),
        }),
      },
      { weight: 1, arbitrary: hold('resume') },
      { weight: 1, arbitrary: hold('cancel') },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('advance' as const),
          ms: fc.constantFrom(day, 7 * day + hour, 15 * day),
        }),
      },
    );
    // Each run starts with a queue of two behind a loan on each one-copy title.
    const queued: Command[] = [0, 1].flatMap((t) => [
      { kind: 'checkout' as const, p: 0, t, days: 14 as const },
      { kind: 'hold' as const, p: 1, t },
      { kind: 'hold' as const, p: 2, t },
    ]);
    await fc.assert(
      fc.asyncProperty(fc.array(queueHeavy, { minLength: 10, maxLength: 30 }), async (commands) => {
        const { world, model } = await setUp([0, 0]);
        for (const command of [...queued, ...commands]) {
          await step(world, model, command);
          await verify(world, model);
        }
      }),
      { numRuns: 25, endOnFailure: true },
    );
  }, 240_000);
});
