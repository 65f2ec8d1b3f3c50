import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLicence, addPatron, addTitle, day, FakeClock, hour } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';
import { DynamoLendingRepository } from '../../functions/adapters/lending-repository';
import { scanTable } from '../helpers/table';
import { itemKinds } from '../../functions/adapters/entities';

const clock = new FakeClock();
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  await stack.deps.lending.sweep(); // sets the sweeper's watermark at the fake clock's start
});
afterAll(() => stack.destroy());

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { code?: string; status?: number }) => ({ code: error.code, status: error.status }),
  );

describe('lending repository on DynamoDB Local', () => {
  it('lends, returns and lends again, keeping the licence counts', async () => {
    // Prepare
    const title = await addTitle(stack);
    const licence = await addLicence(stack, title.id, { concurrency: 1, checkouts: 5 });
    const a = await addPatron(stack);
    // Act
    const { loan } = await stack.deps.lending.checkout({ patronId: a.id, titleId: title.id });
    const busy = await stack.deps.lending.titleLending(title.id);
    await stack.deps.lending.returnLoan({ patronId: a.id, loanId: loan.id });
    const after = await stack.deps.lending.titleLending(title.id);
    // Assess
    expect(busy?.licences[0]).toMatchObject({ id: licence.id, available: 0, checkoutsLeft: 4 });
    expect(after?.licences[0]).toMatchObject({ available: 1, checkoutsLeft: 4 });
    expect(await stack.deps.lending.loansOf(a.id)).toEqual([]);
  });

  it('reserves a returned copy for the first in line; lapse passes it on; sweeps twice end it once', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [a, b, c] = await Promise.all([addPatron(stack), addPatron(stack), addPatron(stack)]);
    const { loan } = await stack.deps.lending.checkout({ patronId: a.id, titleId: title.id });
    const holdB = await stack.deps.lending.placeHold({ patronId: b.id, titleId: title.id });
    const holdC = await stack.deps.lending.placeHold({ patronId: c.id, titleId: title.id });
    // Act
    await stack.deps.lending.returnLoan({ patronId: a.id, loanId: loan.id });
    const refusedForC = await refusal(stack.deps.lending.checkout({ patronId: c.id, titleId: title.id }));
    clock.advance(72 * hour + 1);
    const sweeps = await Promise.all([stack.deps.lending.sweep(), stack.deps.lending.sweep()]);
    const holdsOfC = await stack.deps.lending.holdsOf(c.id);
    const taken = await stack.deps.lending.checkout({ patronId: c.id, titleId: title.id });
    // Assess
    expect(holdB).toMatchObject({ position: 1, status: 'waiting', estimatedWaitDays: 14 });
    expect(holdC).toMatchObject({ position: 2 });
    expect(refusedForC).toEqual({ code: 'NO_COPY_AVAILABLE', status: 409 });
    expect(sweeps.reduce((n, s) => n + s.reservationsLapsed, 0)).toBe(1);
    expect(holdsOfC).toEqual([expect.objectContaining({ id: holdC.id, status: 'reserved', position: 0 })]);
    expect(taken.loan.status).toBe('active');
    const state = await stack.deps.lending.titleLending(title.id);
    expect(state?.licences[0]?.available).toBe(0);
    expect(state?.queue).toMatchObject({ waiting: 0, reserved: 0 });
  });

  it('ends a loan at its end through the sweeper, once, and frees its copy', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 2 });
    const a = await addPatron(stack);
    await stack.deps.lending.checkout({ patronId: a.id, titleId: title.id, days: 7 });
    // Act
    clock.advance(7 * day);
    const [first, second] = await Promise.all([stack.deps.lending.sweep(), stack.deps.lending.sweep()]);
    const again = await stack.deps.lending.sweep();
    // Assess
    expect(first.loansExpired + second.loansExpired).toBe(1);
    expect(again.loansExpired).toBe(0);
    expect((await stack.deps.lending.titleLending(title.id))?.licences[0]?.available).toBe(2);
  });

  it('refuses over the loan limit and writes nothing', async () => {
    // Prepare
    const a = await addPatron(stack, { loanLimit: 1 });
    const [t1, t2] = await Promise.all([addTitle(stack), addTitle(stack)]);
    await addLicence(stack, t1.id);
    await addLicence(stack, t2.id);
    await stack.deps.lending.checkout({ patronId: a.id, titleId: t1.id });
    const before = await scanTable(stack);
    // Act
    const refused = await refusal(stack.deps.lending.checkout({ patronId: a.id, titleId: t2.id }));
    // Assess
    expect(refused).toEqual({ code: 'LOAN_LIMIT_REACHED', status: 403 });
    expect(await scanTable(stack)).toEqual(before);
  });

  it('a same-key retry whose twin commits between its reads answers with the loan the twin made', async () => {
    // Prepare: a client that pauses the retry right after it found no idempotency record, lets the first
    // request commit, then lets the retry go on to read the patron (who by then has the loan).
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 5 });
    const a = await addPatron(stack);
    const request = { patronId: a.id, titleId: title.id, idempotencyKey: 'twin' };
    const first = stack.deps.lending;
    let paused = false;
    const documents = {
      send: async (command: { input?: { Key?: { pk?: string } } }) => {
        const result = await stack.clients.documents.send(command as never);
        if (!paused && String(command.input?.Key?.pk ?? '').includes('twin')) {
          paused = true;
          await first.checkout(request);
        }
        return result;
      },
    } as unknown as typeof stack.clients.documents;
    const retrying = new DynamoLendingRepository(documents, stack.config.TABLE_NAME, clock);
    // Act
    const outcome = await retrying.checkout(request);
    // Assess
    expect(paused).toBe(true);
    expect(outcome.replayed).toBe(true);
    const loans = (await scanTable(stack)).filter((i) => i.sk === itemKinds.loan && i.titleId === title.id);
    expect(loans).toHaveLength(1);
    expect(outcome.loan.id).toBe(loans[0]!.id);
  });
});
