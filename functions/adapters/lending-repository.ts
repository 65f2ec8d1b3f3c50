import {
  DeleteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import {
  emptyQueue,
  holdsInLine,
  isHoldLive,
  isSuspended,
  reservationHours,
  type Hold,
  type HoldQueue,
  type SuspensionDays,
} from '../domain/hold';
import {
  decideAdvance,
  decideCancelHold,
  decideCheckout,
  decideExpiry,
  decideLapse,
  decidePlaceHold,
  decideRenew,
  decideResumeHold,
  decideSuspendHold,
  decideReturn,
  estimatedWaitDays,
  type WaitPicture,
  type PatronLending,
  type Release,
  type Reservation,
  type TitleLending,
} from '../domain/lending';
import { lendingErrors } from '../domain/lending-errors';
import type {
  CheckoutRequest,
  CheckoutResult,
  HoldView,
  LendingRepository,
  SweepReport,
} from '../domain/lending-ports';
import { chooseLicence, isActive, isUsable, summarisePool, type Licence } from '../domain/licence';
import type { Loan, LoanDays } from '../domain/loan';
import { defaultLimits, type Patron } from '../domain/patron';
import type { Clock } from '../domain/ports';
import type { Title } from '../domain/title';
import { isConditionalCheckFailure, recordOf } from './dynamo-item';
import { DynamoNotificationRepository } from './notification-repository';
import { eventIds } from '../domain/notification';
import {
  dueKeys,
  holdKeys,
  holdQueueKeys,
  idempotencyKeys,
  licenceKeys,
  loanKeys,
  patronKeys,
  patronLendingKeys,
  sweeperKeys,
  titleKeys,
  wishKeys,
  type ItemKey,
} from './keys';
import {
  DecideAgain,
  defaultRetryPolicy,
  runTransaction,
  type OnConditionFailed,
  type Plan,
  type PlannedWrite,
  type RetryPolicy,
} from './transactions';

/** Ended loans and holds are kept this long (a patron's recent history), then DynamoDB deletes them. */
const endedRetentionSeconds = 30 * 86_400;
/** A client may retry a checkout with the same Idempotency-Key for this long. */
const idempotencyRetentionSeconds = 24 * 3_600;
/** How far back the very first sweep looks. */
const firstSweepLookbackDays = 30;
/** Waiting holds reserved per transaction when slots are added (a transaction writes at most 100 items). */
// Each reservation writes three items (the hold, its in-app notification and its e-mail delivery).
const advanceBatch = 20;

interface IdempotencyRecord {
  fingerprint: string;
  loanId: string;
}

/**
 * The hold queue's condition for a copy that goes to no hold: nobody waits, or every waiting hold is stored as
 * suspended (a suspension that has run out meanwhile is resumed by the sweeper, which then reserves the copy).
 */
const nobodyInLine = 'attribute_not_exists(pk) OR waiting = :zero OR waiting = suspended';

/** A hold's condition that its suspension is as read (the queue's `suspended` count relies on it). */
function suspensionAsSeen(hold: Hold): { condition: string; values: Record<string, unknown> } {
  return hold.suspendedUntil
    ? { condition: 'suspendedUntil = :seenSuspension', values: { ':seenSuspension': hold.suspendedUntil } }
    : { condition: 'attribute_not_exists(suspendedUntil)', values: {} };
}

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/** Collects the changes to the two shared counters of a transaction (a transaction may touch an item once). */
class Counter {
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

/**
 * Lending on the single table. Every change is one TransactWriteItems built from a pure decision
 * (functions/domain/lending.ts); see ./transactions.ts for how failures become refusals, fresh decisions or 503.
 *
 * Items (keys in ./keys.ts): licences and the hold queue live in the title's partition, so one consistent
 * query reads a title's whole lending state; counters and "one per title" markers live in the patron's
 * partition; loans and holds are items of their own, listed per patron on gsi2 and, while they can fall due,
 * on gsi1 under the day they fall due (waiting holds sit on gsi1 in their title's queue instead).
 */
export class DynamoLendingRepository implements LendingRepository {
  /** Builds the notification (outbox) writes that go into the lending transactions. */
  private readonly notices: DynamoNotificationRepository;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly retry: RetryPolicy = defaultRetryPolicy,
  ) {
    this.notices = new DynamoNotificationRepository(documents, tableName, clock);
  }

  // ---- reads ------------------------------------------------------------------------------------

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async getItem(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  async titleLending(titleId: string): Promise<TitleLending | undefined> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': titleKeys.partition(titleId) },
      ConsistentRead: true,
    });
    const titleItem = items.find((i) => i.sk === titleKeys.item(titleId).sk);
    if (!titleItem) return undefined;
    const title = recordOf<Title>(titleItem);
    const queueItem = items.find((i) => i.sk === holdQueueKeys.item(titleId).sk);
    return {
      titleId,
      access: title.access,
      status: title.status,
      licences: items
        .filter((i) => String(i.sk).startsWith(licenceKeys.sortPrefix))
        .map((i) => recordOf<Licence>(i)),
      queue: queueItem
        ? {
            waiting: Number(queueItem.waiting ?? 0),
            reserved: Number(queueItem.reserved ?? 0),
            lastSeq: Number(queueItem.lastSeq ?? 0),
            suspended: Number(queueItem.suspended ?? 0),
          }
        : emptyQueue,
    };
  }

  private async getLoan(loanId: string): Promise<Loan | undefined> {
    const item = await this.getItem(loanKeys.item(loanId));
    return item ? recordOf<Loan>(item) : undefined;
  }

  private async getHold(holdId: string): Promise<Hold | undefined> {
    const item = await this.getItem(holdKeys.item(holdId));
    return item ? recordOf<Hold>(item) : undefined;
  }

  private async patronLending(patronId: string, titleId: string): Promise<PatronLending> {
    const [patronItem, counters, loanMarker, holdMarker] = await Promise.all([
      this.getItem(patronKeys.item(patronId)),
      this.getItem(patronLendingKeys.counters(patronId)),
      this.getItem(patronLendingKeys.loanOfTitle(patronId, titleId)),
      this.getItem(patronLendingKeys.holdOfTitle(patronId, titleId)),
    ]);
    // Partner members have no patron record: they read partner titles by entitlement, they do not borrow.
    if (!patronItem) throw lendingErrors.notEntitled(titleId);
    const patron = recordOf<Patron>(patronItem);
    const [loanOfTitle, holdOfTitle] = await Promise.all([
      typeof loanMarker?.loanId === 'string' ? this.getLoan(loanMarker.loanId) : undefined,
      typeof holdMarker?.holdId === 'string' ? this.getHold(holdMarker.holdId) : undefined,
    ]);
    return {
      patronId,
      status: patron.status,
      loanLimit: patron.loanLimit ?? defaultLimits.loanLimit,
      holdLimit: patron.holdLimit ?? defaultLimits.holdLimit,
      loans: Number(counters?.loans ?? 0),
      holds: Number(counters?.holds ?? 0),
      ...(loanOfTitle ? { loanOfTitle } : {}),
      ...(holdOfTitle && isHoldLive(holdOfTitle) ? { holdOfTitle } : {}),
    };
  }

  /** The first waiting hold of a title's queue that is not suspended at `now` (gsi1, in queue order). */
  private async firstWaiting(titleId: string, queue: HoldQueue, now: Date): Promise<Hold | undefined> {
    return (await this.waitingHolds(titleId, queue, 1, now))[0];
  }

  /**
   * The head of a title's queue: up to `limit` waiting holds that are not suspended at `now`, first in line
   * first (gsi1). Suspended holds are passed over, however many stand in front.
   */
  private async waitingHolds(titleId: string, queue: HoldQueue, limit: number, now: Date): Promise<Hold[]> {
    if (queue.waiting === 0) return [];
    const holds: Hold[] = [];
    let scanned = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :q',
          ExpressionAttributeValues: { ':q': holdQueueKeys.waitingPartition(titleId) },
          Limit: limit + queue.suspended,
          ExclusiveStartKey: startKey,
        }),
      );
      scanned += page.Items?.length ?? 0;
      for (const item of page.Items ?? []) {
        const hold = recordOf<Hold>(item);
        if (!isSuspended(hold, now) && holds.length < limit) holds.push(hold);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && holds.length < limit);
    // The counter says someone waits but the index has not caught up yet: decide again in a moment.
    if (scanned === 0) throw new DecideAgain('hold queue index behind its counter');
    return holds;
  }

  /** Every waiting hold of a title, suspended ones included, in queue order (gsi1). */
  private async queueOf(titleId: string): Promise<Hold[]> {
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :q',
      ExpressionAttributeValues: { ':q': holdQueueKeys.waitingPartition(titleId) },
    });
    return items.map((i) => recordOf<Hold>(i));
  }

  async activeLoanOf(patronId: string, titleId: string): Promise<Loan | undefined> {
    const marker = await this.getItem(patronLendingKeys.loanOfTitle(patronId, titleId));
    if (typeof marker?.loanId !== 'string') return undefined;
    const loan = await this.getLoan(marker.loanId);
    return loan?.status === 'active' ? loan : undefined;
  }

  async loanOf(patronId: string, loanId: string): Promise<Loan | undefined> {
    const loan = await this.getLoan(loanId);
    return loan?.patronId === patronId ? loan : undefined;
  }

  async loansOf(patronId: string): Promise<Loan[]> {
    const items = await this.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': loanKeys.patronPartition(patronId) },
    });
    return items.map((i) => recordOf<Loan>(i)).filter((l) => l.status === 'active');
  }

  async holdsOf(patronId: string): Promise<HoldView[]> {
    const items = await this.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': holdKeys.patronPartition(patronId) },
    });
    const holds = items.map((i) => recordOf<Hold>(i)).filter(isHoldLive);
    return Promise.all(holds.map((hold) => this.viewOf(hold)));
  }

  /**
   * A hold as the patron sees it: its place in line counts every hold in front, suspended ones too (each
   * keeps its place); the wait counts only those in front that are not suspended now, and a suspended hold
   * waits at least until its suspension ends. A suspension that has run out is not shown.
   */
  private async viewOf(stored: Hold, title?: TitleLending): Promise<HoldView> {
    const now = this.clock.now();
    const { suspendedUntil: _ended, ...unsuspended } = stored;
    const hold: Hold = isSuspended(stored, now) ? stored : unsuspended;
    if (hold.status !== 'waiting') return { ...hold, position: 0, estimatedWaitDays: 0 };
    const [ahead, lending, running] = await Promise.all([
      this.queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :q AND gsi1sk < :me',
        ExpressionAttributeValues: {
          ':q': holdQueueKeys.waitingPartition(hold.titleId),
          ':me': holdQueueKeys.waitingSort(hold.seq),
        },
        ProjectionExpression: '#status, suspendedUntil',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
      title ?? this.titleLending(hold.titleId),
      this.runningLoansOf(hold.titleId),
    ]);
    const position = ahead.length + 1;
    const inLine = ahead.filter((h) => !isSuspended(h as unknown as Hold, now)).length + 1;
    // Only loans on licences that still lend bring a copy back to the queue.
    const usable = new Set((lending?.licences ?? []).filter((l) => isUsable(l, now)).map((l) => l.id));
    const picture: WaitPicture = {
      copies: lending ? summarisePool(lending.licences, now).copies : 0,
      loanEnds: running.filter((loan) => usable.has(loan.licenceId)).map((loan) => loan.expiresAt),
      reserved: lending?.queue.reserved ?? 0,
    };
    const wait = estimatedWaitDays(inLine, picture, now);
    const suspendedFor = hold.suspendedUntil
      ? Math.ceil((Date.parse(hold.suspendedUntil) - now.getTime()) / 86_400_000)
      : 0;
    return { ...hold, position, estimatedWaitDays: Math.max(wait, suspendedFor) };
  }

  /** A title's running loans, soonest end first (gsi3; eventually consistent, which an estimate can bear). */
  private async runningLoansOf(titleId: string): Promise<Pick<Loan, 'licenceId' | 'expiresAt'>[]> {
    const items = await this.queryAll({
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :t',
      ExpressionAttributeValues: { ':t': loanKeys.titlePartition(titleId) },
      ProjectionExpression: 'licenceId, expiresAt',
    });
    return items.map((item) => ({ licenceId: String(item.licenceId), expiresAt: String(item.expiresAt) }));
  }

  // ---- write helpers ----------------------------------------------------------------------------

  private transact<T>(attempt: () => Promise<Plan<T>>): Promise<T> {
    return runTransaction(
      (items) => this.documents.send(new TransactWriteCommand({ TransactItems: items })),
      attempt,
      this.retry,
    );
  }

  private loanItem(loan: Loan): Record<string, unknown> {
    return {
      ...loanKeys.item(loan.id),
      ...loan,
      gsi1pk: dueKeys.partition(loan.expiresAt),
      gsi1sk: dueKeys.sort(loan.expiresAt, 'LOAN', loan.id),
      gsi2pk: loanKeys.patronPartition(loan.patronId),
      gsi2sk: loanKeys.patronSort(loan.checkedOutAt, loan.id),
      gsi3pk: loanKeys.titlePartition(loan.titleId),
      gsi3sk: loanKeys.titleSort(loan.expiresAt, loan.id),
    };
  }

  private holdItem(hold: Hold): Record<string, unknown> {
    return {
      ...holdKeys.item(hold.id),
      ...hold,
      gsi1pk: holdQueueKeys.waitingPartition(hold.titleId),
      gsi1sk: holdQueueKeys.waitingSort(hold.seq),
      gsi2pk: holdKeys.patronPartition(hold.patronId),
      gsi2sk: holdKeys.patronSort(hold.placedAt, hold.id),
    };
  }

  /** A loan or hold that ended: leaves the indexes and expires from the table later. */
  private endRecord(
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
          UpdateExpression:
            'SET #status = :ended, endedAt = :endedAt, #ttl = :ttl REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
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

  private deleteMarker(key: ItemKey): PlannedWrite {
    return {
      item: { Delete: { TableName: this.tableName, Key: key } },
      onConditionFailed: 'stale',
    };
  }

  /**
   * Where a slot given back goes: to the first waiting hold (reserved, now due at its deadline), or back to
   * the licence's free slots, on condition that nobody waits (else the decision is made again).
   */
  private release(
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
      return this.writes(
        {
          item: {
            Update: {
              TableName: this.tableName,
              Key: holdKeys.item(hold.id),
              UpdateExpression:
                'SET #status = :reserved, reservedAt = :at, reservedUntil = :until, licenceId = :licence, gsi1pk = :due, gsi1sk = :dueSort' +
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
                ':due': dueKeys.partition(hold.reservedUntil!),
                ':dueSort': dueKeys.sort(hold.reservedUntil!, 'HOLD', hold.id),
                ...(ended ? { ':suspendedUntil': ended } : {}),
              },
            },
          },
          onConditionFailed: 'stale',
        },
        ended ? this.deleteMarker(holdKeys.suspensionEnd(hold.id)) : undefined,
        // Told in the same transaction: a reservation that rolls back tells nobody.
        this.notices.eventWrites(
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
    return [
      ...guard,
      {
        item: {
          Update: {
            TableName: this.tableName,
            Key: licenceKeys.item(licence.titleId, licence.id),
            UpdateExpression: 'ADD available :one',
            ConditionExpression: 'available < :concurrency',
            ExpressionAttributeValues: { ':one': 1, ':concurrency': licence.terms.concurrency },
          },
        },
        onConditionFailed: 'stale',
      },
    ];
  }

  private titleIsLendable(titleId: string): PlannedWrite {
    return {
      item: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: titleKeys.item(titleId),
          ConditionExpression: '#status = :active AND #access = :licensed',
          ExpressionAttributeNames: { '#status': 'status', '#access': 'access' },
          ExpressionAttributeValues: { ':active': 'active', ':licensed': 'licensed' },
        },
      },
      onConditionFailed: 'stale',
    };
  }

  private titleIsWithdrawn(titleId: string): PlannedWrite {
    return {
      item: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: titleKeys.item(titleId),
          ConditionExpression: '#status = :withdrawn',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':withdrawn': 'withdrawn' },
        },
      },
      onConditionFailed: 'stale',
    };
  }

  private patronIsActive(patronId: string): PlannedWrite {
    return {
      item: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: patronKeys.item(patronId),
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'active' },
        },
      },
      onConditionFailed: () => lendingErrors.patronBlocked(),
    };
  }

  private writes(...groups: (PlannedWrite | PlannedWrite[] | undefined)[]): PlannedWrite[] {
    return groups.flat().filter((w): w is PlannedWrite => w !== undefined);
  }

  // ---- licences ---------------------------------------------------------------------------------

  /**
   * Adds a licence to a title's pool. Its slots serve the queue first, exactly as a returned copy does: the
   * first waiting holds are reserved on it in the same transaction; a long queue goes on in further batches.
   * False when a licence with that id exists (seeding is idempotent).
   */
  async addLicence(licence: Licence): Promise<boolean> {
    const { titleId } = licence;
    const added = await this.transact(async () => {
      const now = this.clock.now();
      const title = await this.titleLending(titleId);
      if (!title) throw lendingErrors.titleNotFound(titleId);
      if (title.licences.some((l) => l.id === licence.id)) return { writes: [], result: false };
      const supplierId = licence.supplierLicenceId;
      if (supplierId !== undefined && title.licences.some((l) => l.supplierLicenceId === supplierId)) {
        throw lendingErrors.licenceExists(titleId, supplierId);
      }
      const pool = { ...title, licences: [...title.licences, licence] };
      const reservations = decideAdvance({
        title: pool,
        waiting: await this.waitingHolds(titleId, title.queue, advanceBatch, now),
        now,
      });
      const onNew = reservations.filter((r) => r.licence.id === licence.id).length;
      const stored: Licence = {
        ...licence,
        available: licence.available === null ? null : licence.available - onNew,
      };
      return {
        writes: this.writes(
          {
            item: {
              Put: {
                TableName: this.tableName,
                Item: { ...licenceKeys.item(titleId, licence.id), ...stored },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            onConditionFailed: 'stale',
          },
          // Taken once per title; a concurrent add of the same supplier licence fails here, retries, and
          // then finds the other licence above.
          supplierId === undefined
            ? undefined
            : {
                item: {
                  Put: {
                    TableName: this.tableName,
                    Item: { ...licenceKeys.supplierId(titleId, supplierId), licenceId: licence.id },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                onConditionFailed: 'stale',
              },
          this.advancePlan(title, reservations, now, licence.id),
          isUsable(licence, now) ? this.wishersToTell(titleId, licence.id, now) : undefined,
        ),
        result: true,
      };
    });
    if (added) await this.advanceQueue(titleId);
    return added;
  }

  /**
   * Deactivates a licence (nothing new is lent from it; loans out run to their end) or reactivates it, when
   * its free slots go to the queue first. Answers the licence as stored.
   */
  async setLicenceActive(request: { titleId: string; licenceId: string; active: boolean }): Promise<Licence> {
    const { titleId, licenceId, active } = request;
    const changed = await this.transact<Licence>(async () => {
      const now = this.clock.now();
      const title = await this.titleLending(titleId);
      if (!title) throw lendingErrors.titleNotFound(titleId);
      const licence = title.licences.find((l) => l.id === licenceId);
      if (!licence) throw lendingErrors.licenceNotFound(licenceId);
      if (isActive(licence) === active) return { writes: [], result: licence };
      const key = licenceKeys.item(titleId, licenceId);
      if (!active) {
        const deactivatedAt = now.toISOString();
        return {
          writes: [
            {
              item: {
                Update: {
                  TableName: this.tableName,
                  Key: key,
                  UpdateExpression: 'SET deactivatedAt = :at',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deactivatedAt)',
                  ExpressionAttributeValues: { ':at': deactivatedAt },
                },
              },
              onConditionFailed: 'stale',
            },
          ],
          result: { ...licence, deactivatedAt },
        };
      }
      const { deactivatedAt: _was, ...reactivated } = licence;
      const reservations = decideAdvance({
        title: { ...title, licences: title.licences.map((l) => (l.id === licenceId ? reactivated : l)) },
        waiting: await this.waitingHolds(titleId, title.queue, advanceBatch, now),
        now,
      });
      const taken = reservations.filter((r) => r.licence.id === licenceId).length;
      const result: Licence = {
        ...reactivated,
        available: reactivated.available === null ? null : reactivated.available - taken,
      };
      return {
        writes: this.writes(
          this.licenceSlots(licence, taken, {
            remove: 'deactivatedAt',
            condition: 'attribute_exists(deactivatedAt)',
          }),
          this.advancePlan(title, reservations, now, licenceId),
          isUsable(result, now) ? this.wishersToTell(titleId, licenceId, now) : undefined,
        ),
        result,
      };
    });
    if (active) await this.advanceQueue(titleId);
    return changed;
  }

  /**
   * Reserves free slots for waiting holds, first in line first, a batch per transaction, until no slot is
   * free or nobody waits. Answers how many holds were reserved.
   */
  async advanceQueue(titleId: string): Promise<number> {
    let total = 0;
    for (;;) {
      const reserved = await this.transact(async () => {
        const now = this.clock.now();
        const title = await this.titleLending(titleId);
        if (!title || title.queue.waiting === 0) return { writes: [], result: 0 };
        const reservations = decideAdvance({
          title,
          waiting: await this.waitingHolds(titleId, title.queue, advanceBatch, now),
          now,
        });
        return { writes: this.advancePlan(title, reservations, now), result: reservations.length };
      });
      total += reserved;
      if (reserved < advanceBatch) return total;
    }
  }

  /**
   * The writes that reserve holds on free slots: each hold reserved (on condition it still waits), each
   * licence's slots taken (on condition its free count is as read and it is still active), the queue counted,
   * on condition no hold joined it meanwhile and the title may still be lent. `skip` is a licence whose own
   * write the caller builds (a new or reactivated licence), since a transaction touches an item once.
   */
  private advancePlan(
    title: TitleLending,
    reservations: Reservation[],
    now: Date,
    skip?: string,
  ): PlannedWrite[] {
    const queue = new Counter().require(
      title.queue.lastSeq === 0 ? 'attribute_not_exists(lastSeq) OR lastSeq = :seen' : 'lastSeq = :seen',
      { ':seen': title.queue.lastSeq },
      'stale',
    );
    if (reservations.length === 0) {
      // Nothing to reserve: the licence alone is written, on condition nobody joined the queue meanwhile.
      return this.writes(queue.write(this.tableName, holdQueueKeys.item(title.titleId)));
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
    return this.writes(
      holds,
      licences,
      this.titleIsLendable(title.titleId),
      queue.write(this.tableName, holdQueueKeys.item(title.titleId)),
    );
  }

  /** One update of a licence: `taken` free slots reserved (free count as read), plus a change of its own. */
  /**
   * The outbox marker of "a wished-for title became available", in the licence change's own transaction:
   * a crash before the wishers are told leaves it for the sweeper. One per title; `mark` tells a newer
   * change's marker from the one a teller read, so a teller never deletes a marker it did not serve.
   */
  private wishersToTell(titleId: string, licenceId: string, now: Date): PlannedWrite {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: {
            ...wishKeys.toTell(titleId),
            gsi1pk: wishKeys.toTellPartition,
            gsi1sk: wishKeys.toTellSort(titleId),
            titleId,
            mark: `${now.toISOString()}#${licenceId}#${randomUUID()}`,
          },
        },
      },
      // Unconditional: an earlier marker still there is simply replaced.
      onConditionFailed: 'stale',
    };
  }

  private licenceSlots(
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
    const key = licenceKeys.item(licence.titleId, licence.id);
    const condition = conditions.map((c) => `(${c})`).join(' AND ');
    const expressionValues = Object.keys(values).length ? { ExpressionAttributeValues: values } : {};
    return {
      item:
        parts.length === 0
          ? {
              ConditionCheck: {
                TableName: this.tableName,
                Key: key,
                ConditionExpression: condition,
                ...expressionValues,
              },
            }
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

  // ---- withdrawn titles -------------------------------------------------------------------------

  /**
   * Cancels every live hold on a withdrawn title, each in its own transaction: waiting holds leave the
   * queue; reserved holds give their kept slot back to the licence. Safe to run again. Answers how many
   * holds this call cancelled.
   */
  async endHoldsOfWithdrawnTitle(titleId: string): Promise<number> {
    const title = await this.titleLending(titleId);
    if (!title) throw lendingErrors.titleNotFound(titleId);
    if (title.status !== 'withdrawn') return 0;
    let cancelled = 0;
    const waiting = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :q',
      ExpressionAttributeValues: { ':q': holdQueueKeys.waitingPartition(titleId) },
    });
    for (const item of waiting) if (await this.cancelHoldOfWithdrawnTitle(String(item.id))) cancelled += 1;
    // Reserved holds sit in the due partitions of their deadlines (at most 72 hours ahead, or overdue and
    // not yet swept): read those days for this title's holds.
    const now = this.clock.now();
    const mark = await this.getItem(sweeperKeys.watermark);
    let day =
      typeof mark?.day === 'string'
        ? mark.day
        : dayOf(new Date(now.getTime() - firstSweepLookbackDays * 86_400_000));
    const last = dayOf(new Date(now.getTime() + (reservationHours + 24) * 3_600_000));
    while (day <= last) {
      const due = await this.queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :due',
        FilterExpression: 'sk = :hold AND titleId = :title',
        ExpressionAttributeValues: { ':due': dueKeys.partition(day), ':hold': 'HOLD', ':title': titleId },
      });
      for (const item of due) if (await this.cancelHoldOfWithdrawnTitle(String(item.id))) cancelled += 1;
      day = dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000));
    }
    return cancelled;
  }

  private async cancelHoldOfWithdrawnTitle(holdId: string): Promise<boolean> {
    return this.transact(async () => {
      const now = this.clock.now();
      const hold = await this.getHold(holdId);
      if (!hold || !isHoldLive(hold)) return { writes: [], result: false };
      const { licence, titleWithdrawn } = await this.slotContext(hold.titleId, hold.licenceId);
      if (!titleWithdrawn) return { writes: [], result: false };
      const decision = decideCancelHold({
        hold,
        holdId,
        patronId: hold.patronId,
        licence,
        firstWaiting: undefined,
        now,
      });
      return {
        writes: this.endHoldPlan(
          decision,
          hold,
          licence,
          `#status = :seen AND ${suspensionAsSeen(hold).condition}`,
          { ':seen': hold.status, ...suspensionAsSeen(hold).values },
          now,
          true,
        ),
        result: true,
      };
    });
  }

  // ---- checkout ---------------------------------------------------------------------------------

  async checkout(request: CheckoutRequest): Promise<CheckoutResult> {
    const { patronId, titleId, idempotencyKey } = request;
    const fingerprint = JSON.stringify({ titleId, days: request.days ?? null });
    const loanId = `l-${randomUUID()}`;
    const idempotencyKeyOf = idempotencyKey ? idempotencyKeys.record(patronId, idempotencyKey) : undefined;

    /** The loan an earlier request with this Idempotency-Key made, if any. */
    const replay = async (): Promise<CheckoutResult | undefined> => {
      if (!idempotencyKeyOf) return undefined;
      const record = await this.getItem(idempotencyKeyOf);
      if (!record) return undefined;
      const { fingerprint: seen, loanId: existing } = record as unknown as IdempotencyRecord;
      if (seen !== fingerprint) throw lendingErrors.idempotencyKeyReused();
      const loan = await this.getLoan(existing);
      if (!loan) throw new Error(`idempotency record points at missing loan ${existing}`);
      return { loan, replayed: true };
    };

    return this.transact<CheckoutResult>(async () => {
      const now = this.clock.now();
      const earlier = await replay();
      if (earlier) return { writes: [], result: earlier };
      const title = await this.titleLending(titleId);
      if (!title) throw lendingErrors.titleNotFound(titleId);
      const patron = await this.patronLending(patronId, titleId);
      // A loan past its end has ended even if the sweeper has not been by: end it now, then decide afresh.
      const stale = patron.loanOfTitle;
      if (stale && decideExpiry({ loan: stale, licence: undefined, firstWaiting: undefined, now })) {
        await this.expireLoan(stale.id);
        throw new DecideAgain('an expired loan was ended on the way');
      }
      await this.settleSuspensions(title, now);
      let decision: ReturnType<typeof decideCheckout>;
      try {
        decision = decideCheckout({
          title,
          patron,
          ...(request.days ? { days: request.days } : {}),
          now,
          loanId,
        });
      } catch (refusal) {
        // A concurrent request with the same key may have committed between our reads: its loan is this
        // request's answer, not ALREADY_ON_LOAN.
        const committed = await replay();
        if (committed) return { writes: [], result: committed };
        throw refusal;
      }
      const { loan, licence } = decision;

      const counters = new Counter()
        .add('loans', 1)
        .require(
          'attribute_not_exists(loans) OR loans < :loanLimit',
          { ':loanLimit': patron.loanLimit },
          () => lendingErrors.loanLimitReached(patron.loanLimit),
        );
      const queue = new Counter();
      const licenceChange = new Counter().require(
        decision.consumesHold
          ? 'attribute_exists(pk)'
          : 'attribute_exists(pk) AND attribute_not_exists(deactivatedAt)',
        {},
        'stale',
      );
      if (decision.takesSlot)
        licenceChange.add('available', -1).require('available > :zero', { ':zero': 0 }, 'stale');
      if (decision.usesCheckout)
        licenceChange.add('checkoutsLeft', -1).require('checkoutsLeft > :zero', { ':zero': 0 }, 'stale');

      const writes: PlannedWrite[] = [];
      if (idempotencyKeyOf) {
        writes.push({
          item: {
            Put: {
              TableName: this.tableName,
              Item: {
                ...idempotencyKeyOf,
                fingerprint,
                loanId: loan.id,
                ttl: epochSeconds(now) + idempotencyRetentionSeconds,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: 'replay',
        });
      }
      writes.push(
        {
          item: {
            Put: {
              TableName: this.tableName,
              Item: this.loanItem(loan),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: 'stale',
        },
        {
          item: {
            Put: {
              TableName: this.tableName,
              Item: { ...patronLendingKeys.loanOfTitle(patronId, titleId), loanId: loan.id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: () => lendingErrors.alreadyOnLoan(titleId),
        },
        this.patronIsActive(patronId),
        this.titleIsLendable(titleId),
      );

      const hold = decision.consumesHold;
      if (hold?.status === 'waiting') {
        // The patron's own suspended hold, fulfilled by a copy nobody in line was waiting for.
        counters.add('holds', -1);
        queue.add('waiting', -1);
        if (hold.suspendedUntil) queue.add('suspended', -1);
        queue.require(nobodyInLine, { ':zero': 0 }, 'stale');
        writes.push(
          this.endRecord(
            holdKeys.item(hold.id),
            'fulfilled',
            now.toISOString(),
            hold.suspendedUntil
              ? '#status = :waiting AND patronId = :patron AND suspendedUntil = :suspendedUntil'
              : '#status = :waiting AND patronId = :patron AND attribute_not_exists(suspendedUntil)',
            {
              ':waiting': 'waiting',
              ':patron': patronId,
              ...(hold.suspendedUntil ? { ':suspendedUntil': hold.suspendedUntil } : {}),
            },
            now,
          ),
          this.deleteMarker(patronLendingKeys.holdOfTitle(patronId, titleId)),
          this.deleteMarker(holdKeys.suspensionEnd(hold.id)),
        );
      } else if (hold) {
        counters.add('holds', -1);
        queue.add('reserved', -1);
        writes.push(
          this.endRecord(
            holdKeys.item(hold.id),
            'fulfilled',
            now.toISOString(),
            '#status = :reserved AND reservedUntil > :now AND patronId = :patron',
            { ':reserved': 'reserved', ':now': now.toISOString(), ':patron': patronId },
            now,
          ),
          this.deleteMarker(patronLendingKeys.holdOfTitle(patronId, titleId)),
        );
      } else {
        // Only when nobody waits in line may a copy go to whoever asks first.
        queue.require(nobodyInLine, { ':zero': 0 }, 'stale');
      }
      return {
        writes: this.writes(
          writes,
          counters.write(this.tableName, patronLendingKeys.counters(patronId)),
          licenceChange.write(this.tableName, licenceKeys.item(titleId, licence.id)),
          queue.write(this.tableName, holdQueueKeys.item(titleId)),
        ),
        result: { loan, replayed: false },
      };
    });
  }

  // ---- return and expiry ------------------------------------------------------------------------

  private endLoanPlan(
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
    return this.writes(
      this.endRecord(loanKeys.item(loan.id), loan.status, loan.endedAt!, condition, values, now),
      {
        item: {
          Delete: {
            TableName: this.tableName,
            Key: patronLendingKeys.loanOfTitle(loan.patronId, loan.titleId),
            ConditionExpression: 'loanId = :loan',
            ExpressionAttributeValues: { ':loan': loan.id },
          },
        },
        onConditionFailed: 'stale',
      },
      new Counter().add('loans', -1).write(this.tableName, patronLendingKeys.counters(loan.patronId)),
      released,
      queue.write(this.tableName, holdQueueKeys.item(loan.titleId)),
    );
  }

  /** What deciding about a slot given back needs: its licence and who waits (nobody, once withdrawn). */
  private async slotContext(titleId: string, licenceId: string | undefined) {
    const title = await this.titleLending(titleId);
    const licence = title?.licences.find((l) => l.id === licenceId);
    const titleWithdrawn = title?.status === 'withdrawn';
    const firstWaiting =
      title && !titleWithdrawn ? await this.firstWaiting(titleId, title.queue, this.clock.now()) : undefined;
    return { title, licence, firstWaiting, titleWithdrawn };
  }

  async returnLoan({ patronId, loanId }: { patronId: string; loanId: string }): Promise<Loan> {
    return this.transact(async () => {
      const now = this.clock.now();
      const loan = await this.getLoan(loanId);
      if (!loan || loan.patronId !== patronId) throw lendingErrors.loanNotFound(loanId);
      const { licence, firstWaiting, titleWithdrawn } = await this.slotContext(loan.titleId, loan.licenceId);
      const decision = decideReturn({ loan, loanId, patronId, licence, firstWaiting, now });
      return {
        writes: this.endLoanPlan(
          decision,
          licence,
          '#status = :active AND patronId = :patron',
          { ':active': 'active', ':patron': patronId },
          now,
          titleWithdrawn,
        ),
        result: decision.loan,
      };
    });
  }

  /** Ends one loan past its end (sweeper, or a checkout meeting it); true when this call ended it. */
  async expireLoan(loanId: string): Promise<boolean> {
    return this.transact(async () => {
      const now = this.clock.now();
      const loan = await this.getLoan(loanId);
      if (!loan) return { writes: [], result: false };
      const { licence, firstWaiting, titleWithdrawn } = await this.slotContext(loan.titleId, loan.licenceId);
      const decision = decideExpiry({ loan, licence, firstWaiting, now });
      if (!decision) return { writes: [], result: false };
      return {
        writes: [
          ...this.endLoanPlan(
            decision,
            licence,
            '#status = :active AND expiresAt <= :now',
            { ':active': 'active', ':now': now.toISOString() },
            now,
            titleWithdrawn,
          ),
          ...this.notices.eventWrites(
            {
              id: eventIds.loanEnded(loan.id),
              patronId: loan.patronId,
              kind: 'loan-ended',
              titleId: loan.titleId,
              deadline: loan.expiresAt,
            },
            now,
          ),
        ],
        result: true,
      };
    });
  }

  // ---- renew ------------------------------------------------------------------------------------

  async renew({
    patronId,
    loanId,
    days,
  }: {
    patronId: string;
    loanId: string;
    days?: LoanDays;
  }): Promise<Loan> {
    return this.transact(async () => {
      const now = this.clock.now();
      const loan = await this.getLoan(loanId);
      if (!loan || loan.patronId !== patronId) throw lendingErrors.loanNotFound(loanId);
      const title = await this.titleLending(loan.titleId);
      const licence = title?.licences.find((l) => l.id === loan.licenceId);
      const decision = decideRenew({
        loan,
        loanId,
        patronId,
        licence,
        queue: title?.queue ?? emptyQueue,
        ...(days ? { days } : {}),
        now,
      });
      const renewed = decision.loan;
      const licenceChange = new Counter().require(
        'attribute_exists(pk) AND attribute_not_exists(deactivatedAt)',
        {},
        'stale',
      );
      if (decision.usesCheckout)
        licenceChange.add('checkoutsLeft', -1).require('checkoutsLeft > :zero', { ':zero': 0 }, 'stale');
      return {
        writes: this.writes(
          {
            item: {
              Update: {
                TableName: this.tableName,
                Key: loanKeys.item(loanId),
                UpdateExpression:
                  'SET expiresAt = :expires, #days = :days, renewals = :renewals, gsi1pk = :due, gsi1sk = :dueSort, gsi3sk = :titleSort',
                ConditionExpression: '#status = :active AND expiresAt = :current AND expiresAt > :now',
                ExpressionAttributeNames: { '#status': 'status', '#days': 'days' },
                ExpressionAttributeValues: {
                  ':expires': renewed.expiresAt,
                  ':days': renewed.days,
                  ':renewals': renewed.renewals,
                  ':due': dueKeys.partition(renewed.expiresAt),
                  ':dueSort': dueKeys.sort(renewed.expiresAt, 'LOAN', loanId),
                  ':titleSort': loanKeys.titleSort(renewed.expiresAt, loanId),
                  ':active': 'active',
                  ':current': loan.expiresAt,
                  ':now': now.toISOString(),
                },
              },
            },
            onConditionFailed: 'stale',
          },
          licenceChange.write(this.tableName, licenceKeys.item(loan.titleId, loan.licenceId)),
          new Counter()
            .require('attribute_not_exists(pk) OR waiting = :zero', { ':zero': 0 }, 'stale')
            .write(this.tableName, holdQueueKeys.item(loan.titleId)),
        ),
        result: renewed,
      };
    });
  }

  // ---- holds ------------------------------------------------------------------------------------

  async placeHold({ patronId, titleId }: { patronId: string; titleId: string }): Promise<HoldView> {
    const holdId = `h-${randomUUID()}`;
    const hold = await this.transact(async () => {
      const now = this.clock.now();
      const [title, patron] = await Promise.all([
        this.titleLending(titleId),
        this.patronLending(patronId, titleId),
      ]);
      if (!title) throw lendingErrors.titleNotFound(titleId);
      await this.settleSuspensions(title, now);
      const hold = decidePlaceHold({ title, patron, now, holdId });
      const queue = new Counter().add('waiting', 1).set('lastSeq', hold.seq);
      queue.require(
        hold.seq === 1 ? 'attribute_not_exists(lastSeq) OR lastSeq = :seen' : 'lastSeq = :seen',
        { ':seen': hold.seq - 1 },
        'stale',
      );
      // The hold was allowed because no copy was free: keep it so until the hold is written.
      const licenceChecks: PlannedWrite[] =
        holdsInLine(title.queue) > 0
          ? []
          : title.licences
              .filter((l) => isUsable(l, now))
              .map((l) => ({
                item: {
                  ConditionCheck: {
                    TableName: this.tableName,
                    Key: licenceKeys.item(titleId, l.id),
                    ConditionExpression: 'available = :zero',
                    ExpressionAttributeValues: { ':zero': 0 },
                  },
                },
                onConditionFailed: 'stale' as const,
              }));
      return {
        writes: this.writes(
          {
            item: {
              Put: {
                TableName: this.tableName,
                Item: this.holdItem(hold),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            onConditionFailed: 'stale',
          },
          {
            item: {
              Put: {
                TableName: this.tableName,
                Item: { ...patronLendingKeys.holdOfTitle(patronId, titleId), holdId: hold.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            onConditionFailed: () => lendingErrors.alreadyOnHold(titleId),
          },
          {
            item: {
              ConditionCheck: {
                TableName: this.tableName,
                Key: patronLendingKeys.loanOfTitle(patronId, titleId),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            onConditionFailed: () => lendingErrors.alreadyOnLoan(titleId),
          },
          new Counter()
            .add('holds', 1)
            .require(
              'attribute_not_exists(holds) OR holds < :holdLimit',
              { ':holdLimit': patron.holdLimit },
              () => lendingErrors.holdLimitReached(patron.holdLimit),
            )
            .write(this.tableName, patronLendingKeys.counters(patronId)),
          this.patronIsActive(patronId),
          this.titleIsLendable(titleId),
          queue.write(this.tableName, holdQueueKeys.item(titleId)),
          licenceChecks,
        ),
        result: hold,
      };
    });
    return this.viewOf(hold);
  }

  private endHoldPlan(
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
    return this.writes(
      this.endRecord(holdKeys.item(hold.id), hold.status, hold.endedAt!, condition, values, now),
      {
        item: {
          Delete: {
            TableName: this.tableName,
            Key: patronLendingKeys.holdOfTitle(hold.patronId, hold.titleId),
            ConditionExpression: 'holdId = :hold',
            ExpressionAttributeValues: { ':hold': hold.id },
          },
        },
        onConditionFailed: 'stale',
      },
      new Counter().add('holds', -1).write(this.tableName, patronLendingKeys.counters(hold.patronId)),
      previous.suspendedUntil ? this.deleteMarker(holdKeys.suspensionEnd(hold.id)) : undefined,
      released,
      queue.write(this.tableName, holdQueueKeys.item(hold.titleId)),
    );
  }

  async cancelHold({ patronId, holdId }: { patronId: string; holdId: string }): Promise<Hold> {
    return this.transact(async () => {
      const now = this.clock.now();
      const hold = await this.getHold(holdId);
      if (!hold || hold.patronId !== patronId) throw lendingErrors.holdNotFound(holdId);
      const { licence, firstWaiting, titleWithdrawn } =
        hold.status === 'reserved'
          ? await this.slotContext(hold.titleId, hold.licenceId)
          : { licence: undefined, firstWaiting: undefined, titleWithdrawn: false };
      const decision = decideCancelHold({ hold, holdId, patronId, licence, firstWaiting, now });
      return {
        writes: this.endHoldPlan(
          decision,
          hold,
          licence,
          `#status = :seen AND patronId = :patron AND ${suspensionAsSeen(hold).condition}`,
          { ':seen': hold.status, ':patron': patronId, ...suspensionAsSeen(hold).values },
          now,
          titleWithdrawn,
        ),
        result: decision.hold,
      };
    });
  }

  // ---- suspending holds ("deliver later") --------------------------------------------------------

  async suspendHold({
    patronId,
    holdId,
    days,
  }: {
    patronId: string;
    holdId: string;
    days: SuspensionDays;
  }): Promise<HoldView> {
    const suspended = await this.transact(async () => {
      const now = this.clock.now();
      const hold = await this.getHold(holdId);
      const decision = decideSuspendHold({ hold, holdId, patronId, days, now });
      const seen = suspensionAsSeen(hold!);
      const until = decision.suspendedUntil!;
      const queue = new Counter();
      if (!hold!.suspendedUntil) queue.add('suspended', 1);
      return {
        writes: this.writes(
          {
            item: {
              Update: {
                TableName: this.tableName,
                Key: holdKeys.item(holdId),
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
                Item: {
                  ...holdKeys.suspensionEnd(holdId),
                  id: holdId,
                  titleId: decision.titleId,
                  suspendedUntil: until,
                  gsi1pk: dueKeys.partition(until),
                  gsi1sk: dueKeys.sort(until, 'SUSPENSION', holdId),
                },
              },
            },
            onConditionFailed: 'stale',
          },
          queue.write(this.tableName, holdQueueKeys.item(decision.titleId)),
        ),
        result: decision,
      };
    });
    return this.viewOf(suspended);
  }

  /** The patron resumes a suspended hold early; a copy free now is reserved for the queue at once. */
  async resumeHold({ patronId, holdId }: { patronId: string; holdId: string }): Promise<HoldView> {
    const resumed = await this.resume(holdId, patronId);
    await this.advanceQueue(resumed.titleId);
    return this.viewOf((await this.getHold(holdId)) ?? resumed);
  }

  /**
   * Resumes a hold whose suspension has run out (the sweeper, or a decision meeting it); a copy free now is
   * reserved for the queue. True when this call resumed it.
   */
  async endSuspension(holdId: string): Promise<boolean> {
    const hold = await this.getHold(holdId);
    if (!hold) {
      await this.documents.send(
        new DeleteCommand({ TableName: this.tableName, Key: holdKeys.suspensionEnd(holdId) }),
      );
      return false;
    }
    const before = hold.suspendedUntil;
    const resumed = await this.resume(holdId);
    if (resumed.suspendedUntil === before && before !== undefined) return false;
    await this.advanceQueue(resumed.titleId);
    return before !== undefined && resumed.status === 'waiting';
  }

  /** One transaction: the hold's suspension removed (as read), its end marker deleted, the queue counted. */
  private resume(holdId: string, patronId?: string): Promise<Hold> {
    return this.transact<Hold>(async () => {
      const now = this.clock.now();
      const hold = await this.getHold(holdId);
      const resumed = decideResumeHold({ hold, holdId, ...(patronId ? { patronId } : {}), now });
      if (!resumed) {
        // Nothing to resume (already in line, reserved or ended): a stray end marker is tidied away.
        const stray = !hold || hold.status !== 'waiting' || hold.suspendedUntil === undefined;
        return {
          writes: stray ? [this.deleteMarker(holdKeys.suspensionEnd(holdId))] : [],
          result: hold!,
        };
      }
      return {
        writes: this.writes(
          {
            item: {
              Update: {
                TableName: this.tableName,
                Key: holdKeys.item(holdId),
                UpdateExpression: 'REMOVE suspendedUntil',
                ConditionExpression: '#status = :waiting AND suspendedUntil = :seenSuspension',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':waiting': 'waiting', ':seenSuspension': hold!.suspendedUntil },
              },
            },
            onConditionFailed: 'stale',
          },
          this.deleteMarker(holdKeys.suspensionEnd(holdId)),
          new Counter().add('suspended', -1).write(this.tableName, holdQueueKeys.item(resumed.titleId)),
        ),
        result: resumed,
      };
    });
  }

  /**
   * Suspensions of a title that have run out but are still stored, while a copy is free: resumed now (their
   * holds back in line, the free copies reserved for the queue), then the caller decides again on fresh state.
   * Without this a copy could go to a newcomer in the minutes before the sweeper comes by.
   */
  private async settleSuspensions(title: TitleLending, now: Date): Promise<void> {
    if (title.queue.suspended === 0 || !chooseLicence(title.licences, now)) return;
    const ended = (await this.queueOf(title.titleId)).filter(
      (hold) => hold.suspendedUntil !== undefined && !isSuspended(hold, now),
    );
    if (ended.length === 0) return;
    for (const hold of ended) await this.endSuspension(hold.id);
    throw new DecideAgain('a suspension had run out');
  }

  /** Lapses one reservation past its deadline; true when this call lapsed it. */
  async lapseHold(holdId: string): Promise<boolean> {
    return this.transact(async () => {
      const now = this.clock.now();
      const hold = await this.getHold(holdId);
      if (!hold || hold.status !== 'reserved') return { writes: [], result: false };
      const { licence, firstWaiting, titleWithdrawn } = await this.slotContext(hold.titleId, hold.licenceId);
      const decision = decideLapse({ hold, licence, firstWaiting, now });
      if (!decision) return { writes: [], result: false };
      return {
        writes: [
          ...this.endHoldPlan(
            decision,
            hold,
            licence,
            '#status = :reserved AND reservedUntil <= :now',
            { ':reserved': 'reserved', ':now': now.toISOString() },
            now,
            titleWithdrawn,
          ),
          ...this.notices.eventWrites(
            {
              id: eventIds.reservationLapsed(hold.id),
              patronId: hold.patronId,
              kind: 'reservation-lapsed',
              titleId: hold.titleId,
              deadline: hold.reservedUntil!,
            },
            now,
          ),
        ],
        result: true,
      };
    });
  }

  // ---- sweeper ----------------------------------------------------------------------------------

  /**
   * Reads the due partitions from the watermark day to today (everything due up to now), ends what is due,
   * and moves the watermark past days that are over and empty. Each item ends in its own conditional
   * transaction, so two sweeps at once end it once and never free a slot twice.
   */
  async sweep(): Promise<SweepReport> {
    const now = this.clock.now();
    const today = dayOf(now);
    const mark = await this.getItem(sweeperKeys.watermark);
    let day =
      typeof mark?.day === 'string'
        ? mark.day
        : dayOf(new Date(now.getTime() - firstSweepLookbackDays * 86_400_000));
    const report: SweepReport = {
      loansExpired: 0,
      reservationsLapsed: 0,
      suspensionsEnded: 0,
      daysScanned: 0,
    };
    let clean = true;
    while (day <= today) {
      const items = await this.queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :due AND gsi1sk <= :upTo',
        ExpressionAttributeValues: {
          ':due': dueKeys.partition(day),
          ':upTo': dueKeys.upTo(now.toISOString()),
        },
      });
      report.daysScanned += 1;
      for (const item of items) {
        try {
          if (String(item.sk) === 'LOAN') {
            if (await this.expireLoan(String(item.id))) report.loansExpired += 1;
          } else if (String(item.sk) === 'HOLD') {
            if (await this.lapseHold(String(item.id))) report.reservationsLapsed += 1;
          } else if (String(item.sk) === 'SUSPENSION') {
            if (await this.endSuspension(String(item.id))) report.suspensionsEnded += 1;
          }
        } catch {
          clean = false; // left for the next sweep; the watermark stays on this day
        }
      }
      if (day >= today || !clean) break;
      const next = dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000));
      await this.documents
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: sweeperKeys.watermark,
            UpdateExpression: 'SET #day = :next',
            ConditionExpression: 'attribute_not_exists(#day) OR #day < :next',
            ExpressionAttributeNames: { '#day': 'day' },
            ExpressionAttributeValues: { ':next': next },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionalCheckFailure(error)) throw error;
        });
      day = next;
    }
    return report;
  }
}
