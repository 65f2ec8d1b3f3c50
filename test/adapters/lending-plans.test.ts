import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { StoredItemError, holdEntity, indexQuery, loanEntity } from '../../functions/adapters/entities';
import {
  dueKeys,
  holdKeys,
  holdQueueKeys,
  licenceKeys,
  loanKeys,
  patronLendingKeys,
  notificationKeys,
  deliveryKeys,
  titleKeys,
  type ItemKey,
} from '../../functions/adapters/keys';
import { Counter, LendingPlans, nobodyInLine } from '../../functions/adapters/lending/plans';
import { DynamoNotificationRepository } from '../../functions/adapters/notification-repository';
import { indexes } from '../../functions/adapters/table-schema';
import type { PlannedWrite } from '../../functions/adapters/transactions';
import type { Hold } from '../../functions/domain/hold';
import type { TitleLending } from '../../functions/domain/lending';
import type { Licence } from '../../functions/domain/licence';
import type { Loan } from '../../functions/domain/loan';
import { eventIds } from '../../functions/domain/notification';
import { fakeClock } from '../helpers/clock';
import {
  activeLoan,
  licence as fixtureLicence,
  waitingHold as fixtureHold,
} from '../domain/lending-fixtures';

// The plan builder is pure: these tests read the TransactItems it builds, no table involved. The event writes
// come from the real notification adapter (its client is never sent anything).
const clock = fakeClock();
const now = clock.now();
const table = 'Library';
const notices = new DynamoNotificationRepository(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-southeast-3' })),
  table,
  clock,
);
const plans = new LendingPlans(table, (event, at) => notices.eventWrites(event, at));

const loan = activeLoan();
const licence: Licence = { ...fixtureLicence('lic-1', { concurrency: 2 }), available: 0 };
const waitingHold = fixtureHold({ seq: 3 });

/** The operation and key of each write, in order: what a transaction touches. */
const touched = (writes: PlannedWrite[]) =>
  writes.map(({ item }) => {
    const [operation, body] = Object.entries(item)[0]!;
    const key = 'Item' in body ? body.Item : body.Key;
    return `${operation} ${String(key?.pk)} ${String(key?.sk)}`;
  });
/** How `touched` shows a write of `operation` on `key`. */
const on = (operation: 'Put' | 'Update' | 'Delete' | 'ConditionCheck', key: ItemKey) =>
  `${operation} ${key.pk} ${key.sk}`;

describe('lending write plans (no table)', () => {
  it('puts a new loan if absent, with the key and index keys its entity declares', () => {
    // Act
    const write = plans.putLoan(loan);
    // Assess
    expect(write.item.Put).toEqual({
      TableName: table,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        ...loan,
        ...loanKeys.item(loan.id),
        gsi1pk: dueKeys.partition(loan.expiresAt),
        gsi1sk: dueKeys.sort(loan.expiresAt, 'LOAN', loan.id),
        gsi2pk: loanKeys.patronPartition(loan.patronId),
        gsi2sk: loanKeys.patronSort(loan.checkedOutAt, loan.id),
        gsi3pk: loanKeys.titlePartition(loan.titleId),
        gsi3sk: loanKeys.titleSort(loan.expiresAt, loan.id),
      },
    });
    expect(write.onConditionFailed).toBe('stale');
    expect(loanEntity.fromItem(write.item.Put!.Item!)).toEqual(loan);
  });

  it('refuses a second loan of a title through the marker put, with ALREADY_ON_LOAN', () => {
    // Act
    const write = plans.putLoanOfTitle(loan);
    // Assess
    expect(write.item.Put?.Item).toEqual({ ...patronLendingKeys.loanOfTitle('p-a', 't-1'), loanId: 'l-1' });
    expect(write.item.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(typeof write.onConditionFailed).toBe('function');
    expect((write.onConditionFailed as () => { code: string })().code).toBe('ALREADY_ON_LOAN');
  });

  it('a counter adds, sets and requires in one update; with conditions only it is a condition check; empty, nothing', () => {
    // Act
    const update = new Counter()
      .add('loans', 1)
      .add('holds', -1)
      .set('lastSeq', 4)
      .require('loans < :limit', { ':limit': 10 }, 'stale')
      .require('holds > :zero', { ':zero': 0 }, () => {
        throw new Error('never called here');
      })
      .write(table, patronLendingKeys.counters('p-a'));
    const check = new Counter()
      .require(nobodyInLine, { ':zero': 0 }, 'stale')
      .write(table, holdQueueKeys.item('t-1'));
    const cancelledOut = new Counter()
      .add('waiting', 1)
      .add('waiting', -1)
      .write(table, holdQueueKeys.item('t-1'));
    // Assess
    expect(update?.item.Update).toEqual({
      TableName: table,
      Key: patronLendingKeys.counters('p-a'),
      UpdateExpression: 'ADD #a0 :a0, #a1 :a1 SET #s0 = :s0',
      ConditionExpression: '(loans < :limit) AND (holds > :zero)',
      ExpressionAttributeNames: { '#a0': 'loans', '#a1': 'holds', '#s0': 'lastSeq' },
      ExpressionAttributeValues: { ':a0': 1, ':a1': -1, ':s0': 4, ':limit': 10, ':zero': 0 },
    });
    // The definite refusal wins over 'stale' when the shared condition fails.
    expect(typeof update?.onConditionFailed).toBe('function');
    expect(check?.item).toEqual({
      ConditionCheck: {
        TableName: table,
        Key: holdQueueKeys.item('t-1'),
        ConditionExpression: `(${nobodyInLine})`,
        ExpressionAttributeValues: { ':zero': 0 },
      },
    });
    expect(cancelledOut).toBeUndefined();
  });

  it('ends a returned loan: record out of every index with a ttl, marker and count gone, slot back when nobody waits', () => {
    // Prepare
    const returned: Loan = { ...loan, status: 'returned', endedAt: now.toISOString() };
    // Act
    const writes = plans.endLoan(
      { loan: returned, release: { kind: 'free' } },
      licence,
      '#status = :active AND patronId = :patron',
      { ':active': 'active', ':patron': 'p-a' },
      now,
      false,
    );
    // Assess
    expect(touched(writes)).toEqual([
      on('Update', loanKeys.item('l-1')),
      on('Delete', patronLendingKeys.loanOfTitle('p-a', 't-1')),
      on('Update', patronLendingKeys.counters('p-a')),
      on('Update', licenceKeys.item('t-1', 'lic-1')),
      on('ConditionCheck', holdQueueKeys.item('t-1')),
    ]);
    const [ended, marker, counts, slot] = writes.map((w) => w.item);
    expect(ended?.Update?.UpdateExpression).toBe(
      'SET #status = :ended, endedAt = :endedAt, #ttl = :ttl REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk',
    );
    expect(ended?.Update?.ExpressionAttributeValues).toMatchObject({
      ':ended': 'returned',
      ':endedAt': now.toISOString(),
      ':ttl': Math.floor(now.getTime() / 1000) + 30 * 86_400,
      ':active': 'active',
    });
    expect(marker?.Delete).toMatchObject({
      ConditionExpression: 'loanId = :loan',
      ExpressionAttributeValues: { ':loan': 'l-1' },
    });
    expect(counts?.Update?.ExpressionAttributeValues).toEqual({ ':a0': -1 });
    expect(slot?.Update).toMatchObject({
      UpdateExpression: 'ADD available :one',
      ConditionExpression: 'available < :concurrency',
      ExpressionAttributeValues: { ':one': 1, ':concurrency': 2 },
    });
  });

  it('passes a returned copy to the first in line: the hold reserved into its due day, told in the same transaction', () => {
    // Prepare
    const reservedUntil = '2026-03-04T09:00:00.000Z';
    const reserved: Hold = {
      ...waitingHold,
      status: 'reserved',
      reservedAt: now.toISOString(),
      reservedUntil,
      licenceId: 'lic-1',
    };
    const returned: Loan = { ...loan, status: 'returned', endedAt: now.toISOString() };
    // Act
    const writes = plans.endLoan(
      { loan: returned, release: { kind: 'reserve', hold: reserved } },
      licence,
      '#status = :active',
      { ':active': 'active' },
      now,
      false,
    );
    // Assess
    const keys = touched(writes);
    expect(keys.slice(0, 4)).toEqual([
      on('Update', loanKeys.item('l-1')),
      on('Delete', patronLendingKeys.loanOfTitle('p-a', 't-1')),
      on('Update', patronLendingKeys.counters('p-a')),
      on('Update', holdKeys.item('h-1')),
    ]);
    expect(keys.at(-1)).toBe(on('Update', holdQueueKeys.item('t-1')));
    // The in-app notification and its e-mail delivery: two puts between the hold and the queue.
    const eventId = eventIds.holdReserved('h-1');
    expect(keys.slice(4, -1)).toEqual([
      on('Put', notificationKeys.item('p-b', `${now.getTime()}.${eventId}`)),
      on('Put', deliveryKeys.item(eventId)),
    ]);
    const hold = writes[3]!.item.Update!;
    expect(hold.ConditionExpression).toBe('#status = :waiting AND attribute_not_exists(suspendedUntil)');
    expect(hold.ExpressionAttributeValues).toMatchObject({
      ':due': dueKeys.partition(reservedUntil),
      ':dueSort': dueKeys.sort(reservedUntil, 'HOLD', 'h-1'),
      ':licence': 'lic-1',
    });
    expect(writes.at(-1)!.item.Update!.ExpressionAttributeNames).toEqual({
      '#a0': 'waiting',
      '#a1': 'reserved',
    });
    expect(writes.at(-1)!.item.Update!.ExpressionAttributeValues).toEqual({ ':a0': -1, ':a1': 1 });
  });

  it('on a withdrawn title a slot given back is simply free, on condition the title is still withdrawn', () => {
    // Act
    const writes = plans.release({ kind: 'free' }, licence, new Counter(), now, true);
    // Assess
    expect(touched(writes)).toEqual([
      on('ConditionCheck', titleKeys.item('t-1')),
      on('Update', licenceKeys.item('t-1', 'lic-1')),
    ]);
    expect(writes[0]!.item.ConditionCheck?.ExpressionAttributeValues).toEqual({ ':withdrawn': 'withdrawn' });
  });

  it('ends a suspended waiting hold: out of the queue and the suspended count, its suspension end deleted', () => {
    // Prepare
    const suspended: Hold = { ...waitingHold, suspendedUntil: '2026-03-10T09:00:00.000Z' };
    const cancelled: Hold = { ...suspended, status: 'cancelled', endedAt: now.toISOString() };
    // Act
    const writes = plans.endHold(
      { hold: cancelled },
      suspended,
      undefined,
      '#status = :seen',
      { ':seen': 'waiting' },
      now,
    );
    // Assess
    expect(touched(writes)).toEqual([
      on('Update', holdKeys.item('h-1')),
      on('Delete', patronLendingKeys.holdOfTitle('p-b', 't-1')),
      on('Update', patronLendingKeys.counters('p-b')),
      on('Delete', holdKeys.suspensionEnd('h-1')),
      on('Update', holdQueueKeys.item('t-1')),
    ]);
    expect(writes.at(-1)!.item.Update!.ExpressionAttributeNames).toEqual({
      '#a0': 'waiting',
      '#a1': 'suspended',
    });
    expect(writes.at(-1)!.item.Update!.ExpressionAttributeValues).toEqual({ ':a0': -1, ':a1': -1 });
  });

  it("a patron cancels their hold as read; a withdrawn title cancels any patron's, guarded by the title still withdrawn", () => {
    // Prepare
    const reserved: Hold = {
      ...waitingHold,
      status: 'reserved',
      licenceId: 'lic-1',
      reservedUntil: '2026-03-04T09:00:00.000Z',
    };
    const cancelled: Hold = { ...reserved, status: 'cancelled', endedAt: now.toISOString() };
    const decision = { hold: cancelled, release: { kind: 'free' as const } };
    // Act
    const byPatron = plans.cancelHold(decision, reserved, licence, now, {
      patronId: 'p-b',
      titleWithdrawn: false,
    });
    const byWithdrawal = plans.cancelHold(decision, reserved, licence, now, { titleWithdrawn: true });
    // Assess
    expect(byPatron[0]!.item.Update).toMatchObject({
      ConditionExpression: '#status = :seen AND patronId = :patron AND attribute_not_exists(suspendedUntil)',
      ExpressionAttributeValues: { ':seen': 'reserved', ':patron': 'p-b' },
    });
    expect(byWithdrawal[0]!.item.Update?.ConditionExpression).toBe(
      '#status = :seen AND attribute_not_exists(suspendedUntil)',
    );
    expect(touched(byPatron)).not.toContain(on('ConditionCheck', titleKeys.item('t-1')));
    expect(touched(byWithdrawal)).toContain(on('ConditionCheck', titleKeys.item('t-1')));
  });

  it('reserving two holds on one licence takes both slots in one update pinned to the count read; a skipped licence is left to its caller', () => {
    // Prepare
    const title: TitleLending = {
      titleId: 't-1',
      access: 'licensed',
      status: 'active',
      licences: [{ ...licence, available: 2 }],
      queue: { waiting: 2, reserved: 0, lastSeq: 7, suspended: 0 },
    };
    const reserve = (hold: Hold) => ({
      hold: {
        ...hold,
        status: 'reserved' as const,
        reservedAt: now.toISOString(),
        reservedUntil: '2026-03-04T09:00:00.000Z',
        licenceId: 'lic-1',
      },
      licence: { ...licence, available: 2 },
    });
    const reservations = [
      reserve(waitingHold),
      reserve({ ...waitingHold, id: 'h-2', patronId: 'p-c', seq: 4 }),
    ];
    // Act
    const both = plans.reserve(title, reservations, now);
    const skipped = plans.reserve(title, reservations, now, 'lic-1');
    const none = plans.reserve(title, [], now);
    // Assess
    const licenceWrite = both.find((w) => w.item.Update?.Key?.sk === licenceKeys.item('t-1', 'lic-1').sk);
    expect(licenceWrite?.item.Update).toMatchObject({
      UpdateExpression: 'ADD available :taken',
      ConditionExpression:
        '(attribute_exists(pk)) AND (available = :seenAvailable) AND (attribute_not_exists(deactivatedAt))',
      ExpressionAttributeValues: { ':taken': -2, ':seenAvailable': 2 },
    });
    const holdsReserved = [on('Update', holdKeys.item('h-1')), on('Update', holdKeys.item('h-2'))];
    expect(touched(both).filter((k) => holdsReserved.includes(k))).toEqual(holdsReserved);
    expect(touched(both).slice(-2)).toEqual([
      on('ConditionCheck', titleKeys.item('t-1')),
      on('Update', holdQueueKeys.item('t-1')),
    ]);
    expect(both.at(-1)!.item.Update!.ConditionExpression).toBe('(lastSeq = :seen)');
    expect(touched(skipped)).not.toContain(on('Update', licenceKeys.item('t-1', 'lic-1')));
    expect(none.map((w) => w.item)).toEqual([
      {
        ConditionCheck: {
          TableName: table,
          Key: holdQueueKeys.item('t-1'),
          ConditionExpression: '(lastSeq = :seen)',
          ExpressionAttributeValues: { ':seen': 7 },
        },
      },
    ]);
  });
});

describe('entity codecs', () => {
  it('reads a stored item back into its record, without the storage attributes', () => {
    // Prepare
    const item = { ...holdEntity.toItem(waitingHold), ttl: 123 };
    // Act
    const hold = holdEntity.fromItem(item);
    // Assess
    expect(hold).toEqual(waitingHold);
  });

  it('names the kind and the attribute when a stored item lacks one or holds the wrong type', () => {
    // Prepare
    const { licenceId: _missing, ...withoutLicence } = loanEntity.toItem(loan);
    const mistyped = { ...loanEntity.toItem(loan), renewals: '0' };
    // Act
    const missing = () => loanEntity.fromItem(withoutLicence);
    const wrongType = () => loanEntity.fromItem(mistyped);
    // Assess
    expect(missing).toThrow(StoredItemError);
    expect(missing).toThrow('stored loan item: attribute "licenceId" is missing');
    expect(wrongType).toThrow('stored loan item: attribute "renewals" should be number, is string');
  });

  it('queries an index by the names the table schema gives it', () => {
    // Act
    const queue = holdQueueKeys.waitingPartition('t-1');
    const query = indexQuery(indexes.gsi1, queue, { sort: { '<': holdQueueKeys.waitingSort(3) }, limit: 5 });
    // Assess
    expect(query).toEqual({
      IndexName: indexes.gsi1.indexName,
      KeyConditionExpression: '#ipk = :ipk AND #isk < :isk',
      ExpressionAttributeNames: { '#ipk': 'gsi1pk', '#isk': 'gsi1sk' },
      ExpressionAttributeValues: { ':ipk': queue, ':isk': '000000000003' },
      Limit: 5,
    });
  });
});
