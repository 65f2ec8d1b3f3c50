import {
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { emptyQueue, isHoldLive, isSuspended, type Hold, type HoldQueue } from '../../domain/hold';
import {
  estimatedWaitDays,
  type PatronLending,
  type TitleLending,
  type WaitPicture,
} from '../../domain/lending';
import { lendingErrors } from '../../domain/lending-errors';
import type { HoldView } from '../../domain/lending-ports';
import { isUsable, summarisePool } from '../../domain/licence';
import type { Loan } from '../../domain/loan';
import { defaultLimits } from '../../domain/patron';
import type { Clock } from '../../domain/ports';
import {
  holdEntity,
  holdOfTitleEntity,
  holdQueueEntity,
  indexQuery,
  lendingCountersEntity,
  licenceEntity,
  loanEntity,
  loanOfTitleEntity,
  patronEntity,
  queuePlaceEntity,
  titleEntity,
} from '../entities';
import { holdQueueKeys, licenceKeys, loanKeys, holdKeys, titleKeys, type ItemKey } from '../keys';
import { indexes, tableSchema } from '../table-schema';
import { DecideAgain } from '../transactions';

/** Every page of a query. */
export async function queryAll(
  documents: DynamoDBDocumentClient,
  tableName: string,
  input: Omit<QueryCommandInput, 'TableName'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * The reads of lending: a title's lending snapshot (one consistent query of its partition), a patron's side
 * of a decision, a patron's loans and holds, and a title's queue. Every stored item is checked by its entity
 * on the way in (../entities.ts).
 */
export class LendingReads {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    return queryAll(this.documents, this.tableName, input);
  }

  async getItem(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  // ---- a title ---------------------------------------------------------------------------------

  async titleLending(titleId: string): Promise<TitleLending | undefined> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': titleKeys.partition(titleId) },
      ConsistentRead: true,
    });
    const sortKeyOf = (item: Record<string, unknown>) => String(item[tableSchema.sortKey]);
    const titleItem = items.find((i) => sortKeyOf(i) === titleEntity.key(titleId).sk);
    if (!titleItem) return undefined;
    const title = titleEntity.fromItem(titleItem);
    const queueItem = items.find((i) => sortKeyOf(i) === holdQueueEntity.key(titleId).sk);
    const queue = holdQueueEntity.fromMaybe(queueItem);
    return {
      titleId,
      access: title.access,
      status: title.status,
      licences: items
        .filter((i) => sortKeyOf(i).startsWith(licenceKeys.sortPrefix))
        .map((i) => licenceEntity.fromItem(i)),
      queue: queue
        ? {
            waiting: queue.waiting ?? 0,
            reserved: queue.reserved ?? 0,
            lastSeq: queue.lastSeq ?? 0,
            suspended: queue.suspended ?? 0,
          }
        : emptyQueue,
    };
  }

  /** The head of a title's queue: the first waiting hold not suspended at `now`. */
  async firstWaiting(titleId: string, queue: HoldQueue, now: Date): Promise<Hold | undefined> {
    return (await this.waitingHolds(titleId, queue, 1, now))[0];
  }

  /**
   * Up to `limit` waiting holds of a title that are not suspended at `now`, first in line first (gsi1).
   * Suspended holds are passed over, however many stand in front.
   */
  async waitingHolds(titleId: string, queue: HoldQueue, limit: number, now: Date): Promise<Hold[]> {
    if (queue.waiting === 0) return [];
    const holds: Hold[] = [];
    let scanned = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...indexQuery(indexes.gsi1, holdQueueKeys.waitingPartition(titleId), {
            limit: limit + queue.suspended,
          }),
          ExclusiveStartKey: startKey,
        }),
      );
      scanned += page.Items?.length ?? 0;
      for (const item of page.Items ?? []) {
        const hold = holdEntity.fromItem(item);
        if (!isSuspended(hold, now) && holds.length < limit) holds.push(hold);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && holds.length < limit);
    // The counter says someone waits but the index has not caught up yet: decide again in a moment.
    if (scanned === 0) throw new DecideAgain('hold queue index behind its counter');
    return holds;
  }

  /** Every waiting hold of a title, suspended ones included, in queue order (gsi1). */
  async queueOf(titleId: string): Promise<Hold[]> {
    const items = await this.queryAll(indexQuery(indexes.gsi1, holdQueueKeys.waitingPartition(titleId)));
    return items.map((i) => holdEntity.fromItem(i));
  }

  /** A title's running loans, soonest end first (gsi3; eventually consistent, which an estimate can bear). */
  async runningLoansOf(titleId: string): Promise<Pick<Loan, 'licenceId' | 'expiresAt'>[]> {
    const items = await this.queryAll(
      indexQuery(indexes.gsi3, loanKeys.titlePartition(titleId), { projection: 'licenceId, expiresAt' }),
    );
    return items.map((item) => ({ licenceId: String(item.licenceId), expiresAt: String(item.expiresAt) }));
  }

  /** What deciding about a slot given back needs: its licence and who waits (nobody, once withdrawn). */
  async slotContext(titleId: string, licenceId: string | undefined) {
    const title = await this.titleLending(titleId);
    const licence = title?.licences.find((l) => l.id === licenceId);
    const titleWithdrawn = title?.status === 'withdrawn';
    const firstWaiting =
      title && !titleWithdrawn ? await this.firstWaiting(titleId, title.queue, this.clock.now()) : undefined;
    return { title, licence, firstWaiting, titleWithdrawn };
  }

  // ---- a patron --------------------------------------------------------------------------------

  async getLoan(loanId: string): Promise<Loan | undefined> {
    return loanEntity.fromMaybe(await this.getItem(loanEntity.key(loanId)));
  }

  async getHold(holdId: string): Promise<Hold | undefined> {
    return holdEntity.fromMaybe(await this.getItem(holdEntity.key(holdId)));
  }

  /** The patron's side of a decision about one title: status, limits, counts, their loan and hold of it. */
  async patronLending(patronId: string, titleId: string): Promise<PatronLending> {
    const [patronItem, countersItem, loanMarkerItem, holdMarkerItem] = await Promise.all([
      this.getItem(patronEntity.key(patronId)),
      this.getItem(lendingCountersEntity.key(patronId)),
      this.getItem(loanOfTitleEntity.key(patronId, titleId)),
      this.getItem(holdOfTitleEntity.key(patronId, titleId)),
    ]);
    // Partner members have no patron record: they read partner titles by entitlement, they do not borrow.
    if (!patronItem) throw lendingErrors.notEntitled(titleId);
    const patron = patronEntity.fromItem(patronItem);
    const counters = lendingCountersEntity.fromMaybe(countersItem);
    const loanMarker = loanOfTitleEntity.fromMaybe(loanMarkerItem);
    const holdMarker = holdOfTitleEntity.fromMaybe(holdMarkerItem);
    const [loanOfTitle, holdOfTitle] = await Promise.all([
      loanMarker ? this.getLoan(loanMarker.loanId) : undefined,
      holdMarker ? this.getHold(holdMarker.holdId) : undefined,
    ]);
    return {
      patronId,
      status: patron.status,
      loanLimit: patron.loanLimit ?? defaultLimits.loanLimit,
      holdLimit: patron.holdLimit ?? defaultLimits.holdLimit,
      loans: counters?.loans ?? 0,
      holds: counters?.holds ?? 0,
      ...(loanOfTitle ? { loanOfTitle } : {}),
      ...(holdOfTitle && isHoldLive(holdOfTitle) ? { holdOfTitle } : {}),
    };
  }

  async activeLoanOf(patronId: string, titleId: string): Promise<Loan | undefined> {
    const marker = loanOfTitleEntity.fromMaybe(await this.getItem(loanOfTitleEntity.key(patronId, titleId)));
    if (!marker) return undefined;
    const loan = await this.getLoan(marker.loanId);
    return loan?.status === 'active' ? loan : undefined;
  }

  async loanOf(patronId: string, loanId: string): Promise<Loan | undefined> {
    const loan = await this.getLoan(loanId);
    return loan?.patronId === patronId ? loan : undefined;
  }

  async loansOf(patronId: string): Promise<Loan[]> {
    const items = await this.queryAll(indexQuery(indexes.gsi2, loanKeys.patronPartition(patronId)));
    return items.map((i) => loanEntity.fromItem(i)).filter((l) => l.status === 'active');
  }

  async holdsOf(patronId: string): Promise<HoldView[]> {
    const items = await this.queryAll(indexQuery(indexes.gsi2, holdKeys.patronPartition(patronId)));
    const holds = items.map((i) => holdEntity.fromItem(i)).filter(isHoldLive);
    return Promise.all(holds.map((hold) => this.viewOf(hold)));
  }

  /**
   * A hold as the patron sees it: its place in line counts every hold in front, suspended ones too (each
   * keeps its place); the wait counts only those in front that are not suspended now, and a suspended hold
   * waits at least until its suspension ends. A suspension that has run out is not shown.
   */
  async viewOf(stored: Hold, title?: TitleLending): Promise<HoldView> {
    const now = this.clock.now();
    const { suspendedUntil: _ended, ...unsuspended } = stored;
    const hold: Hold = isSuspended(stored, now) ? stored : unsuspended;
    if (hold.status !== 'waiting') return { ...hold, position: 0, estimatedWaitDays: 0 };
    const [ahead, lending, running] = await Promise.all([
      this.queryAll(
        indexQuery(indexes.gsi1, holdQueueKeys.waitingPartition(hold.titleId), {
          sort: { '<': holdQueueKeys.waitingSort(hold.seq) },
          projection: '#status, suspendedUntil',
          names: { '#status': 'status' },
        }),
      ),
      title ?? this.titleLending(hold.titleId),
      this.runningLoansOf(hold.titleId),
    ]);
    const position = ahead.length + 1;
    const inLine =
      ahead.map((i) => queuePlaceEntity.fromItem(i)).filter((h) => !isSuspended(h, now)).length + 1;
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
}
