import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createPatron, json } from '../helpers/auth';
import { addLicence, addTitle, day, FakeClock, hour } from '../helpers/lending';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

/** Holds "delivered later" (suspended), and holds refused on a title with no licence that can lend. */

let stack: TestStack;
const clock = new FakeClock('2026-06-01T08:00:00.000Z');

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  await stack.deps.lending.sweep();
});
afterAll(() => stack.destroy());

interface HoldBody {
  id: string;
  status: string;
  position: number;
  estimatedWaitDays: number;
  reservedUntil?: string;
  suspendedUntil?: string;
}
interface Who {
  id: string;
}

const patron = async (): Promise<Who> => ({ id: (await createPatron(stack)).patron.id });

async function headersOf(who: Who): Promise<Record<string, string>> {
  const { token } = await stack.deps.tokens.issue(
    { patronId: who.id, roles: ['patron'] },
    { now: clock.now() },
  );
  return bearer(token);
}
const post = async (path: string, who: Who, body?: unknown) =>
  stack.app.request(
    path,
    body === undefined
      ? { method: 'POST', headers: await headersOf(who) }
      : json('POST', body, await headersOf(who)),
  );
const del = async (path: string, who: Who) =>
  stack.app.request(path, { method: 'DELETE', headers: await headersOf(who) });

async function holdOf(who: Who, titleId: string): Promise<HoldBody | undefined> {
  const response = await stack.app.request('/me/holds', { headers: await headersOf(who) });
  const { data } = (await response.json()) as { data: (HoldBody & { titleId: string })[] };
  return data.find((h) => h.titleId === titleId);
}

/** A one-copy title on loan to `reader`, with `holders` in line in that order. */
async function queueOfOne(holders: Who[]) {
  const title = await addTitle(stack);
  await addLicence(stack, title.id, { concurrency: 1 });
  const reader = await patron();
  const loan = (await (await post('/loans', reader, { titleId: title.id })).json()) as { id: string };
  const holds: HoldBody[] = [];
  for (const who of holders) {
    const response = await post('/holds', who, { titleId: title.id });
    expect(response.status).toBe(201);
    holds.push((await response.json()) as HoldBody);
  }
  return { title, reader, loanId: loan.id, holds };
}

describe('POST /holds/{id}/suspend (deliver later)', () => {
  it('passes a freed copy to the next hold that is not suspended; the suspended hold keeps place 1 and takes the next copy after its suspension', async () => {
    // Prepare: A first in line, B second; A suspends for 7 days
    const [a, b, c] = [await patron(), await patron(), await patron()];
    const { title, reader, loanId, holds } = await queueOfOne([a, b]);
    const suspended = await post(`/holds/${holds[0]!.id}/suspend`, a, { days: 7 });
    expect(suspended.status).toBe(200);
    expect(await suspended.json()).toMatchObject({
      status: 'waiting',
      position: 1,
      suspendedUntil: new Date(clock.now().getTime() + 7 * day).toISOString(),
      // the loan out ends in 14 days, after the suspension: then A, back in line, is served first
      estimatedWaitDays: 14,
    });
    // Act: the copy comes back
    expect((await del(`/loans/${loanId}`, reader)).status).toBe(200);
    // Assess: B's, not A's; A still first in line
    expect(await holdOf(b, title.id)).toMatchObject({ status: 'reserved', position: 0 });
    expect(await holdOf(a, title.id)).toMatchObject({ status: 'waiting', position: 1 });
    const lentToB = await post('/loans', b, { titleId: title.id });
    expect(lentToB.status).toBe(201);
    // C joins behind A
    expect((await post('/holds', c, { titleId: title.id })).status).toBe(201);
    expect(await holdOf(c, title.id)).toMatchObject({ position: 2 });

    // Act: the suspension ends (no sweep yet), then B returns
    clock.advance(7 * day + hour);
    expect(await holdOf(a, title.id)).not.toHaveProperty('suspendedUntil');
    const { id: bLoan } = (await lentToB.json()) as { id: string };
    expect((await del(`/loans/${bLoan}`, b)).status).toBe(200);
    // Assess: A takes the next copy, C still waits behind
    const aHold = await holdOf(a, title.id);
    expect(aHold).toMatchObject({ status: 'reserved' });
    expect(aHold!.reservedUntil).toBe(new Date(clock.now().getTime() + 72 * hour).toISOString());
    expect(await holdOf(c, title.id)).toMatchObject({ status: 'waiting', position: 1 });
    expect((await post('/loans', a, { titleId: title.id })).status).toBe(201);
  });

  it('lets a free copy go to whoever asks while only suspended holds wait; when the suspension ends the sweeper reserves a free copy for it', async () => {
    // Prepare: A waits alone and suspends; the copy comes back and stays free
    const [a, walkIn] = [await patron(), await patron()];
    const { title, reader, loanId, holds } = await queueOfOne([a]);
    expect((await post(`/holds/${holds[0]!.id}/suspend`, a, { days: 14 })).status).toBe(200);
    expect((await del(`/loans/${loanId}`, reader)).status).toBe(200);
    const detail = (await (await stack.app.request(`/titles/${title.id}`)).json()) as {
      availability: { available: number };
    };
    expect(detail.availability.available).toBe(1);
    // a walk-in borrows it, and returns it
    const walkInLoan = await post('/loans', walkIn, { titleId: title.id });
    expect(walkInLoan.status).toBe(201);
    expect((await del(`/loans/${((await walkInLoan.json()) as { id: string }).id}`, walkIn)).status).toBe(
      200,
    );
    expect(await holdOf(a, title.id)).toMatchObject({ status: 'waiting', position: 1 });

    // Act: the suspension runs out and the sweeper comes by
    clock.advance(14 * day + 1);
    const report = await stack.deps.lending.sweep();
    // Assess: A's hold is reserved on the free copy, and nobody else can take it
    expect(report.suspensionsEnded).toBeGreaterThanOrEqual(1);
    expect(await holdOf(a, title.id)).toMatchObject({ status: 'reserved' });
    await expectProblem(await post('/loans', walkIn, { titleId: title.id }), 409, 'NO_COPY_AVAILABLE');
  });

  it('does not let a newcomer take a free copy once a suspension has run out, even before the sweeper runs', async () => {
    // Prepare: A suspended alone, the copy free, the suspension over
    const [a, walkIn] = [await patron(), await patron()];
    const { title, reader, loanId, holds } = await queueOfOne([a]);
    expect((await post(`/holds/${holds[0]!.id}/suspend`, a, { days: 7 })).status).toBe(200);
    expect((await del(`/loans/${loanId}`, reader)).status).toBe(200);
    clock.advance(7 * day + 1);
    // Act
    const response = await post('/loans', walkIn, { titleId: title.id });
    // Assess
    await expectProblem(response, 409, 'NO_COPY_AVAILABLE');
    expect(await holdOf(a, title.id)).toMatchObject({ status: 'reserved' });
  });

  it('resumes early: the hold is back in line and a copy free now is reserved for it at once', async () => {
    // Prepare
    const [a] = [await patron()];
    const { title, reader, loanId, holds } = await queueOfOne([a]);
    expect((await post(`/holds/${holds[0]!.id}/suspend`, a, { days: 28 })).status).toBe(200);
    expect((await del(`/loans/${loanId}`, reader)).status).toBe(200);
    // Act
    const resumed = await post(`/holds/${holds[0]!.id}/resume`, a);
    // Assess
    expect(resumed.status).toBe(200);
    const body = (await resumed.json()) as HoldBody;
    expect(body.status).toBe('reserved');
    expect(body).not.toHaveProperty('suspendedUntil');
    expect(await holdOf(a, title.id)).toMatchObject({ status: 'reserved' });
  });

  it('lets a patron with a suspended hold borrow a copy nobody in line wants: the loan fulfils the hold', async () => {
    // Prepare
    const [a] = [await patron()];
    const { title, reader, loanId, holds } = await queueOfOne([a]);
    expect((await post(`/holds/${holds[0]!.id}/suspend`, a, { days: 7 })).status).toBe(200);
    expect((await del(`/loans/${loanId}`, reader)).status).toBe(200);
    // Act
    const response = await post('/loans', a, { titleId: title.id });
    // Assess
    expect(response.status).toBe(201);
    expect(await holdOf(a, title.id)).toBeUndefined();
    const state = (await stack.deps.lending.titleLending(title.id))!;
    expect(state.queue).toMatchObject({ waiting: 0, reserved: 0, suspended: 0 });
  });

  it('refuses other days, a reserved hold, and someone else’s hold', async () => {
    // Prepare: A reserved, B waiting
    const [a, b] = [await patron(), await patron()];
    const { reader, loanId, holds } = await queueOfOne([a, b]);
    expect((await del(`/loans/${loanId}`, reader)).status).toBe(200);
    // Act / Assess
    await expectProblem(
      await post(`/holds/${holds[1]!.id}/suspend`, b, { days: 10 }),
      400,
      'VALIDATION_FAILED',
    );
    await expectProblem(await post(`/holds/${holds[0]!.id}/suspend`, a, { days: 7 }), 409, 'HOLD_RESERVED');
    await expectProblem(await post(`/holds/${holds[1]!.id}/suspend`, a, { days: 7 }), 404, 'HOLD_NOT_FOUND');
    await expectProblem(await post(`/holds/${holds[1]!.id}/resume`, a), 404, 'HOLD_NOT_FOUND');
    await expectProblem(await post('/holds/h-nope/suspend', a, { days: 7 }), 404, 'HOLD_NOT_FOUND');
  });

  it('cancelling a suspended hold takes it out of the queue’s counts', async () => {
    // Prepare
    const [a, b] = [await patron(), await patron()];
    const { title, holds } = await queueOfOne([a, b]);
    expect((await post(`/holds/${holds[0]!.id}/suspend`, a, { days: 7 })).status).toBe(200);
    // Act
    expect((await del(`/holds/${holds[0]!.id}`, a)).status).toBe(200);
    // Assess
    const state = (await stack.deps.lending.titleLending(title.id))!;
    expect(state.queue).toMatchObject({ waiting: 1, suspended: 0 });
    expect(await holdOf(b, title.id)).toMatchObject({ position: 1 });
  });
});

describe('POST /holds on a title with no licence that can lend', () => {
  it('answers 409 NOT_LENDABLE for a title with no licence, or only used-up ones', async () => {
    // Prepare
    const who = await patron();
    const bare = await addTitle(stack);
    const usedUp = await addTitle(stack);
    await addLicence(stack, usedUp.id, { concurrency: 1, checkouts: 1 });
    const reader = await patron();
    const loan = (await (await post('/loans', reader, { titleId: usedUp.id })).json()) as { id: string };
    expect((await del(`/loans/${loan.id}`, reader)).status).toBe(200);
    // Act / Assess
    await expectProblem(await post('/holds', who, { titleId: bare.id }), 409, 'NOT_LENDABLE');
    await expectProblem(await post('/holds', who, { titleId: usedUp.id }), 409, 'NOT_LENDABLE');
    expect(await holdOf(who, bare.id)).toBeUndefined();
  });
});
