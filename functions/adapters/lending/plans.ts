import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Hold } from '../../domain/hold';
import type { Release, Reservation, TitleLending } from '../../domain/lending';
import { lendingErrors } from '../../domain/lending-errors';
import { isUsable, type Licence } from '../../domain/licence';
import type { Loan } from '../../domain/loan';
import { eventIds } from '../../domain/notification';
import type { NotificationEvent } from '../../domain/notification-ports';
import {
  holdEntity,
  holdOfTitleEntity,
  holdQueueEntity,
  indexKeyAttributes,
  lendingCountersEntity,
  licenceEntity,
  loanEntity,
  loanOfTitleEntity,
  patronEntity,
  reservedHoldDue,
  suspensionEndEntity,
  titleEntity,
  wishersToTellEntity,
} from '../entities';
import type { ItemKey } from '../keys';
import { indexes, tableSchema } from '../table-schema';
import type { OnConditionFailed, PlannedWrite } from '../transactions';

/**
 * The pure half of the lending adapter: decisions (functions/domain/lending.ts) turned into the items of one
 * TransactWriteItems, each with what its condition failing means (./transactions.ts). Nothing here reads or
 * sends; the families (./licences.ts, ./loans.ts, ./holds.ts) read, decide, and hand the plan to `transact`.
 */

type Write = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Ended loans and holds are kept this long (a patron's recent history), then DynamoDB deletes them. */
export const endedRetentionSeconds = 30 * 86_400;
/** A client may retry a checkout with the same Idempotency-Key for this long. */
export const idempotencyRetentionSeconds = 24 * 3_600;

export const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/**
 * The hold queue's condition for a copy that goes to no hold: nobody waits, or every waiting hold is stored as
 * suspended (a suspension that has run out meanwhile is resumed by the sweeper, which then reserves the copy).
 */
export const nobodyInLine = 'attribute_not_exists(pk) OR waiting = :zero OR waiting = suspended';

/** A hold's condition that its suspension is as read (the queue's `suspended` count relies on it). */
export function suspensionAsSeen(hold: Hold): { condition: string; values: Record<string, unknown> } {
  return hold.suspendedUntil
    ? { condition: 'suspendedUntil = :seenSuspension', values: { ':seenSuspension': hold.suspendedUntil } }
    : { condition: 'attribute_not_exists(suspendedUntil)', values: {} };
}

/** Flattens groups of writes, leaving out the ones a plan does not need. */
export function writes(...groups: (PlannedWrite | PlannedWrite[] | undefined)[]): PlannedWrite[] {
  return groups.flat().filter((w): w is PlannedWrite => w !== undefined);
}

/** Collects the changes to one shared counter item of a transaction (a transaction may touch an item once). */
export class Counter {
  private readonly deltas = new Map<string, number>();
  private readonly sets = new Map<string, number>();
  private readonly conditions: {
    expression: string;
    values: Record<string, unknown>;
    onFail: OnConditionFailed;
  }[] = [];

  add(attribute: string, delta: number): this {
    this.deltas.set(attribute, (this.deltas.get(attribute) ?? 0) + delta);
    return this;
  }

  set(attribute: string, value: number): this {
    this.sets.set(attribute, value);
    return this;
  }

  require(expression: string, values: Record<string, unknown>, onFail: OnConditionFailed): this {
    this.conditions.push({ expression, values, onFail });
    return this;
  }

  /** One Update (or ConditionCheck) of `key`; the first definite refusal wins when its condition fails. */
  write(tableName: string, key: ItemKey): PlannedWrite | undefined {
    const deltas = [...this.deltas].filter(([, d]) => d !== 0);
    if (deltas.length === 0 && this.sets.size === 0 && this.conditions.length === 0) return undefined;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    for (const c of this.conditions) Object.assign(values, c.values);
    const conditionExpression = this.conditions.map((c) => `(${c.expression})`).join(' AND ') || undefined;
    const onConditionFailed =
      this.conditions.find((c) => typeof c.onFail === 'function')?.onFail ??
      this.conditions[0]?.onFail ??
      'stale';
    if (deltas.length === 0 && this.sets.size === 0) {
      return {
        item: {
          ConditionCheck: {
            TableName: tableName,
            Key: key,
            ConditionExpression: conditionExpression!,
            ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          },
        },
        onConditionFailed,
      };
    }
    const adds = deltas.map(([attribute, delta], i) => {
      names[`#a${i}`] = attribute;
      values[`:a${i}`] = delta;
      return `#a${i} :a${i}`;
    });
    const sets = [...this.sets].map(([attribute, value], i) => {
      names[`#s${i}`] = attribute;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const update = [adds.length ? `ADD ${adds.join(', ')}` : '', sets.length ? `SET ${sets.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
    return {
      item: {
        Update: {
          TableName: tableName,
          Key: key,
          UpdateExpression: update,
          ...(conditionExpression ? { ConditionExpression: conditionExpression } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      onConditionFailed,
    };
  }
}

/** The notification (outbox) writes of an event, built by the notification adapter. */
export type EventWrites = (event: NotificationEvent, now: Date) => PlannedWrite[];

/** The write-plan builder of one table. */
export class LendingPlans {
  constructor(
    readonly tableName: string,
    private readonly eventWrites: EventWrites,
  ) {}

  // ---- items put if absent -------------------------------------------------------------------

  /** A Put on condition no item has the key yet. */
  putIfAbsent(item: Record<string, unknown>, onConditionFailed: OnConditionFailed = 'stale'): PlannedWrite {
    return {
      item: {
        Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
      },
      onConditionFailed,
    };
  }

  /** A new loan, listed as due at its end, under its patron and under its title. */
  putLoan(loan: Loan): PlannedWrite {
    return this.putIfAbsent(loanEntity.toItem(loan));
  }

  /** A new hold, listed in its title's queue and under its patron. */
  putHold(hold: Hold): PlannedWrite {
    return this.putIfAbsent(holdEntity.toItem(hold));
  }

  /** What keeps a patron to one active loan of a title. */
  putLoanOfTitle(loan: Pick<Loan, 'id' | 'patronId' | 'titleId'>): PlannedWrite {
    return this.putIfAbsent({ ...loanOfTitleEntity.key(loan.patronId, loan.titleId), loanId: loan.id }, () =>
      lendingErrors.alreadyOnLoan(loan.titleId),
    );
  }

  /** What keeps a patron to one live hold on a title. */
  putHoldOfTitle(hold: Pick<Hold, 'id' | 'patronId' | 'titleId'>): PlannedWrite {
    return this.putIfAbsent({ ...holdOfTitleEntity.key(hold.patronId, hold.titleId), holdId: hold.id }, () =>
      lendingErrors.alreadyOnHold(hold.titleId),
    );
  }

  // ---- conditions on what the decision read ----------------------------------------------------

  private check(key: ItemKey, condition: Omit<Write['ConditionCheck'] & object, 'TableName' | 'Key'>) {
    return { ConditionCheck: { TableName: this.tableName, Key: key, ...condition } };
  }

  titleIsLendable(titleId: string): PlannedWrite {
    return {
      item: this.check(titleEntity.key(titleId), {
        ConditionExpression: '#status = :active AND #access = :licensed',
        ExpressionAttributeNames: { '#status': 'status', '#access': 'access' },
        ExpressionAttributeValues: { ':active': 'active', ':licensed': 'licensed' },
      }),
      onConditionFailed: 'stale',
    };
  }

  titleIsWithdrawn(titleId: string): PlannedWrite {
    return {
      item: this.check(titleEntity.key(titleId), {
        ConditionExpression: '#status = :withdrawn',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':withdrawn': 'withdrawn' },
      }),
      onConditionFailed: 'stale',
    };
  }

  patronIsActive(patronId: string): PlannedWrite {
    return {
      item: this.check(patronEntity.key(patronId), {
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'active' },
      }),
      onConditionFailed: () => lendingErrors.patronBlocked(),
    };
  }

  /** The patron has no active loan of the title (a hold is for a title one does not have). */
  noLoanOfTitle(patronId: string, titleId: string): PlannedWrite {
    return {
      item: this.check(loanOfTitleEntity.key(patronId, titleId), {
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
      onConditionFailed: () => lendingErrors.alreadyOnLoan(titleId),
    };
  }

  /** A usable licence still has no free copy (what allowed a hold). */
  noFreeCopy(licence: Licence): PlannedWrite {
    return {
      item: this.check(licenceEntity.key(licence.titleId, licence.id), {
        ConditionExpression: 'available = :zero',
        ExpressionAttributeValues: { ':zero': 0 },
      }),
      onConditionFailed: 'stale',
    };
  }

  // ---- counters and slots --------------------------------------------------------------------

  /** One write of the title's hold queue counter, if the counter has anything to do. */
  queue(titleId: string, counter: Counter): PlannedWrite | undefined {
    return counter.write(this.tableName, holdQueueEntity.key(titleId));
  }

  /** One write of the patron's loan and hold counts. */
  counters(patronId: string, counter: Counter): PlannedWrite | undefined {
    return counter.write(this.tableName, lendingCountersEntity.key(patronId));
  }

  /** One write of a licence's counts (`available`, `checkoutsLeft`). */
  licenceCounts(licence: Pick<Licence, 'titleId' | 'id'>, counter: Counter): PlannedWrite | undefined {
    return counter.write(this.tableName, licenceEntity.key(licence.titleId, licence.id));
  }

  /** One update of a licence: `taken` free slots reserved (free count as read), plus a change of its own. */
  licenceSlots(
    licence: Licence,
    taken: number,
    change: { remove?: string; condition?: string },
  ): PlannedWrite {
    const conditions = ['attribute_exists(pk)'];
    const values: Record<string, unknown> = {};
    const parts: string[] = [];
    if (taken > 0 && licence.available !== null) {
      parts.push('ADD available :taken');
      values[':taken'] = -taken;
      values[':seenAvailable'] = licence.available;
      conditions.push('available = :seenAvailable');
    }
    if (change.remove) parts.push(`REMOVE ${change.remove}`);
    if (change.condition) conditions.push(change.condition);
    const key = licenceEntity.key(licence.titleId, licence.id);
    const condition = conditions.map((c) => `(${c})`).join(' AND ');
    const expressionValues = Object.keys(values).length ? { ExpressionAttributeValues: values } : {};
    return {
      item:
        parts.length === 0
          ? this.check(key, { ConditionExpression: condition, ...expressionValues })
          : {
              Update: {
                TableName: this.tableName,
                Key: key,
                UpdateExpression: parts.join(' '),
                ConditionExpression: condition,
                ...expressionValues,
              },
            },
      onConditionFailed: 'stale',
    };
  }

  /** A slot given back to its licence's free count (never past its concurrency). */
  private slotBack(licence: Licence): PlannedWrite {
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: licenceEntity.key(licence.titleId, licence.id),
          UpdateExpression: 'ADD available :one',
          ConditionExpression: 'available < :concurrency',
          ExpressionAttributeValues: { ':one': 1, ':concurrency': licence.terms.concurrency },
        },
      },
      onConditionFailed: 'stale',
    };
  }

  // ---- ending a loan or a hold -----------------------------------------------------------------

  /** A loan or hold that ended: leaves the indexes and expires from the table later. */
  endRecord(
    key: ItemKey,
    status: string,
    endedAt: string,
    condition: string,
    values: Record<string, unknown>,
    now: Date,
  ): PlannedWrite {
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET #status = :ended, endedAt = :endedAt, #ttl = :ttl REMOVE ${indexKeyAttributes.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status', '#ttl': tableSchema.ttlAttribute },
          ExpressionAttributeValues: {
            ':ended': status,
            ':endedAt': endedAt,
            ':ttl': epochSeconds(now) + endedRetentionSeconds,
            ...values,
          },
        },
      },
      onConditionFailed: 'stale',
    };
  }

  deleteMarker(key: ItemKey): PlannedWrite {
    return { item: { Delete: { TableName: this.tableName, Key: key } }, onConditionFailed: 'stale' };
  }

  /** A "one per title" marker deleted, on condition it is the one of `id` (`loanId` or `holdId`). */
  private deleteMarkerOf(key: ItemKey, attribute: 'loanId' | 'holdId', id: string): PlannedWrite {
    const placeholder = attribute === 'loanId' ? ':loan' : ':hold';
    return {
      item: {
        Delete: {
          TableName: this.tableName,
          Key: key,
          ConditionExpression: `${attribute} = ${placeholder}`,
          ExpressionAttributeValues: { [placeholder]: id },
        },
      },
      onConditionFailed: 'stale',
    };
  }

  /**
   * Where a slot given back goes: to the first waiting hold (reserved, now due at its deadline), or back to
   * the licence's free slots, on condition that nobody waits (else the decision is made again).
   */
  release(
    release: Release,
    licence: Licence | undefined,
    queue: Counter,
    now: Date,
    titleWithdrawn = false,
  ): PlannedWrite[] {
    if (release.kind === 'reserve') {
      const hold = release.hold;
      const ended = release.endsSuspension;
      queue.add('waiting', -1).add('reserved', 1);
      if (ended) queue.add('suspended', -1);
      const due = reservedHoldDue(hold.id, hold.reservedUntil!);
      return writes(
        {
          item: {
            Update: {
              TableName: this.tableName,
              Key: holdEntity.key(hold.id),
              UpdateExpression:
                `SET #status = :reserved, reservedAt = :at, reservedUntil = :until, licenceId = :licence, ${indexes.gsi1.partitionKey} = :due, ${indexes.gsi1.sortKey} = :dueSort` +
                (ended ? ' REMOVE suspendedUntil' : ''),
              // The hold is reserved as read: still waiting, and suspended (or not) as it was.
              ConditionExpression: ended
                ? '#status = :waiting AND suspendedUntil = :suspendedUntil'
                : '#status = :waiting AND attribute_not_exists(suspendedUntil)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':reserved': 'reserved',
                ':waiting': 'waiting',
                ':at': hold.reservedAt,
                ':until': hold.reservedUntil,
                ':licence': hold.licenceId,
                ':due': due.pk,
                ':dueSort': due.sk,
                ...(ended ? { ':suspendedUntil': ended } : {}),
              },
            },
          },
          onConditionFailed: 'stale',
        },
        ended ? this.deleteMarker(suspensionEndEntity.key(hold.id)) : undefined,
        // Told in the same transaction: a reservation that rolls back tells nobody.
        this.eventWrites(
          {
            id: eventIds.holdReserved(hold.id),
            patronId: hold.patronId,
            kind: 'hold-reserved',
            titleId: hold.titleId,
            deadline: hold.reservedUntil!,
          },
          now,
        ),
      );
    }
    if (!licence) return [];
    // A withdrawn title has no queue to serve: its holds are being cancelled, so the slot is simply free.
    const guard = titleWithdrawn ? [this.titleIsWithdrawn(licence.titleId)] : [];
    if (isUsable(licence, now) && !titleWithdrawn) {
      queue.require(nobodyInLine, { ':zero': 0 }, 'stale');
    }
    if (licence.available === null) return guard;
    return [...guard, this.slotBack(licence)];
  }

  /** A loan ended (returned or expired): its marker and count gone, its slot released. */
  endLoan(
    decision: { loan: Loan; release: Release },
    licence: Licence | undefined,
    condition: string,
    values: Record<string, unknown>,
    now: Date,
    titleWithdrawn: boolean,
  ): PlannedWrite[] {
    const { loan } = decision;
    const queue = new Counter();
    const released = this.release(decision.release, licence, queue, now, titleWithdrawn);
    return writes(
      this.endRecord(loanEntity.key(loan.id), loan.status, loan.endedAt!, condition, values, now),
      this.deleteMarkerOf(loanOfTitleEntity.key(loan.patronId, loan.titleId), 'loanId', loan.id),
      this.counters(loan.patronId, new Counter().add('loans', -1)),
      released,
      this.queue(loan.titleId, queue),
    );
  }

  /** A hold ended (cancelled or lapsed): its marker, count and suspension end gone, a kept slot released. */
  endHold(
    decision: { hold: Hold; release?: Release },
    previous: Hold,
    licence: Licence | undefined,
    condition: string,
    values: Record<string, unknown>,
    now: Date,
    titleWithdrawn = false,
  ): PlannedWrite[] {
    const { hold } = decision;
    const queue = new Counter();
    if (previous.status === 'waiting') queue.add('waiting', -1);
    else queue.add('reserved', -1);
    if (previous.status === 'waiting' && previous.suspendedUntil) queue.add('suspended', -1);
    const released = decision.release
      ? this.release(decision.release, licence, queue, now, titleWithdrawn)
      : [];
    return writes(
      this.endRecord(holdEntity.key(hold.id), hold.status, hold.endedAt!, condition, values, now),
      this.deleteMarkerOf(holdOfTitleEntity.key(hold.patronId, hold.titleId), 'holdId', hold.id),
      this.counters(hold.patronId, new Counter().add('holds', -1)),
      previous.suspendedUntil ? this.deleteMarker(suspensionEndEntity.key(hold.id)) : undefined,
      released,
      this.queue(hold.titleId, queue),
    );
  }

  /**
   * A live hold cancelled as read (its status and suspension), by its patron or, with no patron, because its
   * title was withdrawn.
   */
  cancelHold(
    decision: { hold: Hold; release?: Release },
    previous: Hold,
    licence: Licence | undefined,
    now: Date,
    by: { patronId?: string; titleWithdrawn: boolean },
  ): PlannedWrite[] {
    const seen = suspensionAsSeen(previous);
    const patron = by.patronId === undefined ? '' : ' AND patronId = :patron';
    return this.endHold(
      decision,
      previous,
      licence,
      `#status = :seen${patron} AND ${seen.condition}`,
      {
        ':seen': previous.status,
        ...(by.patronId === undefined ? {} : { ':patron': by.patronId }),
        ...seen.values,
      },
      now,
      by.titleWithdrawn,
    );
  }

  /** The event writes of a loan that ran out or a reservation that lapsed. */
  notice(event: NotificationEvent, now: Date): PlannedWrite[] {
    return this.eventWrites(event, now);
  }

  // ---- suspending a hold ----------------------------------------------------------------------

  /**
   * A waiting hold suspended until `until` (suspended or not as read), and the end of its suspension put in
   * the due partition of that day, so the sweeper resumes it then.
   */
  suspend(hold: Hold, until: string, patronId: string): PlannedWrite[] {
    const seen = suspensionAsSeen(hold);
    return [
      {
        item: {
          Update: {
            TableName: this.tableName,
            Key: holdEntity.key(hold.id),
            UpdateExpression: 'SET suspendedUntil = :until',
            ConditionExpression: `#status = :waiting AND patronId = :patron AND ${seen.condition}`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':until': until,
              ':waiting': 'waiting',
              ':patron': patronId,
              ...seen.values,
            },
          },
        },
        onConditionFailed: 'stale',
      },
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: suspensionEndEntity.toItem({ id: hold.id, titleId: hold.titleId, suspendedUntil: until }),
          },
        },
        onConditionFailed: 'stale',
      },
    ];
  }

  /** A suspended hold back in line (its suspension as read), its end marker gone. */
  unsuspend(hold: Hold): PlannedWrite[] {
    return [
      {
        item: {
          Update: {
            TableName: this.tableName,
            Key: holdEntity.key(hold.id),
            UpdateExpression: 'REMOVE suspendedUntil',
            ConditionExpression: '#status = :waiting AND suspendedUntil = :seenSuspension',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':waiting': 'waiting', ':seenSuspension': hold.suspendedUntil },
          },
        },
        onConditionFailed: 'stale',
      },
      this.deleteMarker(suspensionEndEntity.key(hold.id)),
    ];
  }

  // ---- reserving free slots for the queue ---------------------------------------------------

  /**
   * The writes that reserve holds on free slots: each hold reserved (on condition it still waits), each
   * licence's slots taken (on condition its free count is as read and it is still active), the queue counted,
   * on condition no hold joined it meanwhile and the title may still be lent. `skip` is a licence whose own
   * write the caller builds (a new or reactivated licence), since a transaction touches an item once.
   */
  reserve(title: TitleLending, reservations: Reservation[], now: Date, skip?: string): PlannedWrite[] {
    const queue = new Counter().require(
      title.queue.lastSeq === 0 ? 'attribute_not_exists(lastSeq) OR lastSeq = :seen' : 'lastSeq = :seen',
      { ':seen': title.queue.lastSeq },
      'stale',
    );
    if (reservations.length === 0) {
      // Nothing to reserve: the licence alone is written, on condition nobody joined the queue meanwhile.
      return writes(this.queue(title.titleId, queue));
    }
    const holds = reservations.flatMap((r) =>
      this.release(
        { kind: 'reserve', hold: r.hold, ...(r.endsSuspension ? { endsSuspension: r.endsSuspension } : {}) },
        r.licence,
        queue,
        now,
      ),
    );
    const taken = new Map<string, { licence: Licence; count: number }>();
    for (const { licence } of reservations) {
      const entry = taken.get(licence.id) ?? { licence, count: 0 };
      entry.count += 1;
      taken.set(licence.id, entry);
    }
    const licences = [...taken.values()]
      .filter(({ licence }) => licence.id !== skip)
      .map(({ licence, count }) =>
        this.licenceSlots(licence, count, { condition: 'attribute_not_exists(deactivatedAt)' }),
      );
    return writes(holds, licences, this.titleIsLendable(title.titleId), this.queue(title.titleId, queue));
  }

  // ---- the wish outbox -------------------------------------------------------------------------

  /**
   * The outbox marker of "a wished-for title became available", in the licence change's own transaction:
   * a crash before the wishers are told leaves it for the sweeper. One per title; `mark` tells a newer
   * change's marker from the one a teller read, so a teller never deletes a marker it did not serve.
   */
  wishersToTell(titleId: string, licenceId: string, now: Date): PlannedWrite {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: wishersToTellEntity.toItem({
            titleId,
            mark: `${now.toISOString()}#${licenceId}#${randomUUID()}`,
          }),
        },
      },
      // Unconditional: an earlier marker still there is simply replaced.
      onConditionFailed: 'stale',
    };
  }
}
