import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdEntity, licenceEntity, loanEntity } from '../../functions/adapters/entities';
import {
  dueKeys,
  holdKeys,
  holdQueueKeys,
  licenceKeys,
  loanKeys,
  patronLendingKeys,
} from '../../functions/adapters/keys';
import { addLicence, addPatron, addTitle } from '../helpers/lending';
import { FakeClock } from '../helpers/clock';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';

// The entity codecs are a refactor of how items are built and read: what is stored must stay exactly as it
// was. These tests pin the stored layout by attribute name, independently of the codecs, and check the codecs
// describe it.

const clock = new FakeClock();
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
});
afterAll(() => stack.destroy());

const storedAt = async (key: { pk: string; sk: string }) =>
  (await scanTable(stack)).find((i) => i.pk === key.pk && i.sk === key.sk);

describe('stored item layout', () => {
  it('a loan written through the repository has exactly the attributes it had before the codecs, and the keys its codec says', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const patron = await addPatron(stack);
    // Act
    const { loan } = await stack.deps.lending.checkout({ patronId: patron.id, titleId: title.id, days: 7 });
    const stored = await storedAt(loanKeys.item(loan.id));
    // Assess
    expect(Object.keys(stored ?? {}).sort()).toEqual(
      [
        'pk',
        'sk',
        'gsi1pk',
        'gsi1sk',
        'gsi2pk',
        'gsi2sk',
        'gsi3pk',
        'gsi3sk',
        'id',
        'patronId',
        'titleId',
        'licenceId',
        'status',
        'days',
        'checkedOutAt',
        'expiresAt',
        'renewals',
      ].sort(),
    );
    expect(stored).toMatchObject({
      gsi1pk: dueKeys.partition(loan.expiresAt),
      gsi1sk: dueKeys.sort(loan.expiresAt, 'LOAN', loan.id),
      gsi2pk: loanKeys.patronPartition(patron.id),
      gsi2sk: loanKeys.patronSort(loan.checkedOutAt, loan.id),
      gsi3pk: loanKeys.titlePartition(title.id),
      gsi3sk: loanKeys.titleSort(loan.expiresAt, loan.id),
    });
    expect(stored).toEqual(loanEntity.toItem(loan));
    expect(await storedAt(patronLendingKeys.loanOfTitle(patron.id, title.id))).toEqual({
      ...patronLendingKeys.loanOfTitle(patron.id, title.id),
      loanId: loan.id,
    });
  });

  it('a returned loan leaves every index and keeps its record, with a ttl', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const patron = await addPatron(stack);
    const { loan } = await stack.deps.lending.checkout({ patronId: patron.id, titleId: title.id });
    // Act
    const returned = await stack.deps.lending.returnLoan({ patronId: patron.id, loanId: loan.id });
    const stored = await storedAt(loanKeys.item(loan.id));
    // Assess
    expect(Object.keys(stored ?? {}).filter((a) => a.startsWith('gsi'))).toEqual([]);
    expect(stored).toEqual({ ...loanKeys.item(loan.id), ...returned, ttl: expect.any(Number) });
  });

  it('a hold and a licence are stored as their codecs build them', async () => {
    // Prepare
    const title = await addTitle(stack);
    const licence = await addLicence(stack, title.id, { concurrency: 1 });
    const [a, b] = await Promise.all([addPatron(stack), addPatron(stack)]);
    await stack.deps.lending.checkout({ patronId: a.id, titleId: title.id });
    // Act
    const view = await stack.deps.lending.placeHold({ patronId: b.id, titleId: title.id });
    const hold = await storedAt(holdKeys.item(view.id));
    const storedLicence = await storedAt(licenceKeys.item(title.id, licence.id));
    // Assess
    const { position: _p, estimatedWaitDays: _w, ...record } = view;
    expect(hold).toEqual(holdEntity.toItem(record));
    expect(hold).toMatchObject({
      gsi1pk: holdQueueKeys.waitingPartition(title.id),
      gsi1sk: holdQueueKeys.waitingSort(view.seq),
      gsi2pk: holdKeys.patronPartition(b.id),
      gsi2sk: holdKeys.patronSort(view.placedAt, view.id),
    });
    expect(Object.keys(hold ?? {})).not.toContain('gsi3pk');
    expect(licenceEntity.fromItem(storedLicence!)).toMatchObject({ id: licence.id, available: 0 });
  });

  it('a malformed stored loan is an internal error naming the kind and the attribute, not a wrong answer', async () => {
    // Prepare
    const patron = await addPatron(stack);
    const loanId = 'l-malformed';
    await stack.clients.documents.send(
      new PutCommand({
        TableName: stack.config.TABLE_NAME,
        // No licenceId: a hand-edited or half-migrated item.
        Item: {
          ...loanKeys.item(loanId),
          gsi2pk: loanKeys.patronPartition(patron.id),
          gsi2sk: loanKeys.patronSort(clock.now().toISOString(), loanId),
          id: loanId,
          patronId: patron.id,
          titleId: 't-none',
          status: 'active',
          days: 14,
          checkedOutAt: clock.now().toISOString(),
          expiresAt: clock.now().toISOString(),
          renewals: 0,
        },
      }),
    );
    // Act
    const reading = stack.deps.lending.loansOf(patron.id);
    // Assess
    await expect(reading).rejects.toThrow('stored loan item: attribute "licenceId" is missing');
  });
});
