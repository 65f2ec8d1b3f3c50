import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  deliveryLeaseMs,
  eventIds,
  loanNoticeDue,
  maxDeliveryAttempts,
  reservationNoticeDue,
  nextAttemptAfter,
  notificationRetentionDays,
  type Delivery,
  type MailKind,
  type Notification,
  type NotificationKind,
  type NotificationSettings,
  type Wish,
} from '../domain/notification';
import type {
  DeliveryOutcome,
  NotificationEvent,
  NotificationRepository,
} from '../domain/notification-ports';
import type { Clock } from '../domain/ports';
import { decodeCursor, encodeCursor } from './cursor';
import { isConditionalCheckFailure, isTransactionCancelled, recordOf } from './dynamo-item';
import { deliveryKeys, dueKeys, notificationKeys, wishKeys } from './keys';
import type { PlannedWrite, TransactItem } from './transactions';

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
const retentionSeconds = notificationRetentionDays * 86_400;

const pageCursor = z.object({ pk: z.string(), sk: z.string() });
const failedCursor = z.object({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() });

/**
 * Notifications on the single table (keys in ./keys.ts). The writes of an event are built here but sent by
 * whoever causes the event, inside its own transaction (`eventWrites`), so a change that rolls back leaves no
 * notification; time-based events are recorded once by `recordOnce`. Deliveries are claimed with a lease (a
 * conditional update) before a send, so two notifier runs never both send one.
 */
export class DynamoNotificationRepository implements NotificationRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  /** The in-app notification and the e-mail delivery of an event, to be written with the change causing it. */
  eventWrites(event: NotificationEvent, now: Date, options: { once?: boolean } = {}): PlannedWrite[] {
    const createdAt = now.toISOString();
    const notificationId = `${now.getTime()}.${event.id}`;
    const ttl = epochSeconds(now) + retentionSeconds;
    const notification: Notification = {
      id: notificationId,
      patronId: event.patronId,
      kind: event.kind,
      titleId: event.titleId,
      ...(event.deadline ? { deadline: event.deadline } : {}),
      createdAt,
    };
    return [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: {
              ...notificationKeys.item(event.patronId, notificationId),
              ...notification,
              eventId: event.id,
              ttl,
            },
          },
        },
        onConditionFailed: 'stale',
      },
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: this.deliveryItem(
              {
                id: event.id,
                patronId: event.patronId,
                kind: event.kind,
                titleId: event.titleId,
                ...(event.deadline ? { deadline: event.deadline } : {}),
                state: 'pending',
                attempts: 0,
                createdAt,
                nextAttemptAt: createdAt,
              },
              ttl,
            ),
            ...(options.once ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
          },
        },
        onConditionFailed: 'stale',
      },
    ];
  }

  private deliveryItem(delivery: Delivery, ttl: number): Record<string, unknown> {
    return {
      ...deliveryKeys.item(delivery.id),
      ...delivery,
      gsi1pk: deliveryKeys.duePartition,
      gsi1sk: deliveryKeys.dueSort(delivery.nextAttemptAt, delivery.id),
      gsi2pk: deliveryKeys.patronPartition(delivery.patronId),
      gsi2sk: deliveryKeys.patronSort(delivery.createdAt, delivery.id),
      ttl,
    };
  }

  private async send(items: TransactItem[]): Promise<void> {
    await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
  }

  /**
   * Records a time-based event unless it was recorded before (by this or a concurrent sweep): true when this
   * call recorded it. The delivery's conditional put is the guard; the in-app item goes with it or not at all.
   */
  async recordOnce(event: NotificationEvent): Promise<boolean> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: deliveryKeys.item(event.id),
        ProjectionExpression: 'pk',
      }),
    );
    if (Item) return false;
    try {
      await this.send(this.eventWrites(event, this.clock.now(), { once: true }).map((w) => w.item));
      return true;
    } catch (error) {
      if (
        isTransactionCancelled(error) &&
        error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
      )
        return false;
      throw error;
    }
  }

  /** A mail that is no notification (verify an address), queued for the notifier like any other delivery. */
  async queueMail(request: { patronId: string; kind: MailKind; to: string }): Promise<Delivery> {
    const now = this.clock.now();
    const createdAt = now.toISOString();
    const delivery: Delivery = {
      id: `${request.kind}.${request.patronId}.${randomUUID()}`,
      patronId: request.patronId,
      kind: request.kind,
      to: request.to,
      state: 'pending',
      attempts: 0,
      createdAt,
      nextAttemptAt: createdAt,
    };
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: this.deliveryItem(delivery, epochSeconds(now) + retentionSeconds),
      }),
    );
    return delivery;
  }

  // ---- in the app -------------------------------------------------------------------------------

  async list(
    patronId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ data: Notification[]; cursor: string | null }> {
    const start = decodeCursor(options.cursor, pageCursor);
    if (start && start.pk !== notificationKeys.partition(patronId)) decodeCursor('!', pageCursor);
    const now = epochSeconds(this.clock.now());
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        // DynamoDB deletes expired items within days, not at once: hide them meanwhile.
        FilterExpression: '#ttl > :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':pk': notificationKeys.partition(patronId),
          ':prefix': notificationKeys.prefix,
          ':now': now,
        },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: start,
      }),
    );
    return {
      data: (page.Items ?? []).map((i) => {
        const { eventId: _e, ...n } = recordOf<Notification & { eventId?: string }>(i);
        return n;
      }),
      cursor: encodeCursor(page.LastEvaluatedKey),
    };
  }

  async unreadCount(patronId: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: 'attribute_not_exists(readAt) AND #ttl > :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':pk': notificationKeys.partition(patronId),
            ':prefix': notificationKeys.prefix,
            ':now': epochSeconds(this.clock.now()),
          },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  /** Marks one of the patron's notifications read; false when it is not theirs or does not exist. */
  async markRead(patronId: string, notificationId: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: notificationKeys.item(patronId, notificationId),
          UpdateExpression: 'SET readAt = if_not_exists(readAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': this.clock.now().toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  async markAllRead(patronId: string): Promise<number> {
    let marked = 0;
    for (;;) {
      const { data, cursor } = await this.list(patronId, { limit: 100 });
      const unread = data.filter((n) => !n.readAt);
      for (const n of unread) if (await this.markRead(patronId, n.id)) marked += 1;
      if (unread.length === 0 || !cursor) return marked;
    }
  }

  // ---- e-mail settings --------------------------------------------------------------------------

  async settings(patronId: string): Promise<NotificationSettings> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: notificationKeys.settings(patronId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return { patronId, emailOff: [] };
    const stored = recordOf<NotificationSettings>(Item);
    return { ...stored, emailOff: stored.emailOff ?? [] };
  }

  async setEmailOff(patronId: string, emailOff: NotificationKind[]): Promise<NotificationSettings> {
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: notificationKeys.settings(patronId),
        UpdateExpression: 'SET patronId = :p, emailOff = :off, updatedAt = :at',
        ExpressionAttributeValues: {
          ':p': patronId,
          ':off': [...new Set(emailOff)].sort(),
          ':at': this.clock.now().toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const stored = recordOf<NotificationSettings>(Attributes ?? {});
    return { ...stored, emailOff: stored.emailOff ?? [] };
  }

  /** Turns one kind's e-mail off (the unsubscribe link); idempotent. */
  async turnEmailOff(patronId: string, kind: NotificationKind): Promise<NotificationSettings> {
    const current = await this.settings(patronId);
    return this.setEmailOff(patronId, [...current.emailOff, kind]);
  }

  /** A new address waits for its verification; the verified one (if any) stays in use until then. */
  async setPendingEmail(patronId: string, email: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: notificationKeys.settings(patronId),
        UpdateExpression:
          'SET patronId = :p, pendingEmail = :e, updatedAt = :at, emailOff = if_not_exists(emailOff, :none)',
        ExpressionAttributeValues: {
          ':p': patronId,
          ':e': email,
          ':at': this.clock.now().toISOString(),
          ':none': [],
        },
      }),
    );
  }

  /** Makes `email` the patron's address, on condition it is the one waiting for verification. */
  async verifyEmail(patronId: string, email: string): Promise<boolean> {
    const at = this.clock.now().toISOString();
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: notificationKeys.settings(patronId),
          UpdateExpression: 'SET email = :e, emailVerifiedAt = :at, updatedAt = :at REMOVE pendingEmail',
          ConditionExpression: 'pendingEmail = :e',
          ExpressionAttributeValues: { ':e': email, ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  /** Seeding: a verified address at once (the demo patrons'). */
  async setVerifiedEmail(patronId: string, email: string): Promise<void> {
    const at = this.clock.now().toISOString();
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: notificationKeys.settings(patronId),
        UpdateExpression:
          'SET patronId = :p, email = :e, emailVerifiedAt = if_not_exists(emailVerifiedAt, :at), updatedAt = :at, emailOff = if_not_exists(emailOff, :none)',
        ExpressionAttributeValues: { ':p': patronId, ':e': email, ':at': at, ':none': [] },
      }),
    );
  }

  // ---- deliveries -------------------------------------------------------------------------------

  /** Deliveries due now, oldest first (they may be leased by another run: `claim` decides). */
  async due(limit: number): Promise<Delivery[]> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :due AND gsi1sk <= :upTo',
        ExpressionAttributeValues: {
          ':due': deliveryKeys.duePartition,
          ':upTo': deliveryKeys.dueUpTo(this.clock.now().toISOString()),
        },
        Limit: limit,
      }),
    );
    return Items.map((i) => recordOf<Delivery>(i));
  }

  /**
   * Takes a delivery for one try: on condition it is still pending, due, and not leased by a run whose lease
   * is still running. Answers the lease id, or undefined when another run has it (or it is done).
   */
  async claim(deliveryId: string): Promise<{ lease: string; delivery: Delivery } | undefined> {
    const now = this.clock.now();
    const lease = randomUUID();
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deliveryKeys.item(deliveryId),
          UpdateExpression: 'SET leaseId = :lease, leaseUntil = :until ADD attempts :one',
          ConditionExpression:
            '#state = :pending AND nextAttemptAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':lease': lease,
            ':until': new Date(now.getTime() + deliveryLeaseMs).toISOString(),
            ':one': 1,
            ':pending': 'pending',
            ':now': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const {
        leaseId: _l,
        leaseUntil: _u,
        ...delivery
      } = recordOf<Delivery & { leaseId?: string; leaseUntil?: string }>(Attributes ?? {});
      return { lease, delivery };
    } catch (error) {
      if (isConditionalCheckFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Settles a claimed try, on condition the lease is still ours: sent or skipped leave the due index; a
   * failure is due again after a backoff, or marked failed (and listed for librarians) after the last try.
   */
  async settle(delivery: Delivery, lease: string, outcome: DeliveryOutcome): Promise<Delivery['state']> {
    const now = this.clock.now();
    const at = now.toISOString();
    const names = { '#state': 'state' };
    const base = { ':lease': lease };
    let update: string;
    let values: Record<string, unknown>;
    let state: Delivery['state'];
    if (outcome.kind === 'sent') {
      state = 'sent';
      update =
        'SET #state = :sent, sentAt = :at, messageId = :mid REMOVE gsi1pk, gsi1sk, leaseId, leaseUntil, reason';
      values = { ':sent': 'sent', ':at': at, ':mid': outcome.messageId };
    } else if (outcome.kind === 'skipped') {
      state = 'skipped';
      update = 'SET #state = :skipped, reason = :reason REMOVE gsi1pk, gsi1sk, leaseId, leaseUntil';
      values = { ':skipped': 'skipped', ':reason': outcome.reason };
    } else if (delivery.attempts >= maxDeliveryAttempts) {
      state = 'failed';
      update =
        'SET #state = :failed, failedAt = :at, reason = :reason, gsi1pk = :failedPk, gsi1sk = :failedSk REMOVE leaseId, leaseUntil';
      values = {
        ':failed': 'failed',
        ':at': at,
        ':reason': outcome.reason.slice(0, 500),
        ':failedPk': deliveryKeys.failedPartition,
        ':failedSk': deliveryKeys.failedSort(at, delivery.id),
      };
    } else {
      state = 'pending';
      const next = nextAttemptAfter(delivery.attempts, now).toISOString();
      update = 'SET nextAttemptAt = :next, reason = :reason, gsi1sk = :dueSk REMOVE leaseId, leaseUntil';
      values = {
        ':next': next,
        ':reason': outcome.reason.slice(0, 500),
        ':dueSk': deliveryKeys.dueSort(next, delivery.id),
      };
    }
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: deliveryKeys.item(delivery.id),
        UpdateExpression: update,
        ConditionExpression: 'leaseId = :lease',
        ExpressionAttributeNames: update.includes('#state') ? names : undefined,
        ExpressionAttributeValues: { ...base, ...values },
      }),
    );
    return state;
  }

  async delivery(deliveryId: string): Promise<Delivery | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: deliveryKeys.item(deliveryId), ConsistentRead: true }),
    );
    return Item ? recordOf<Delivery>(Item) : undefined;
  }

  async deliveriesOf(patronId: string, limit = 100): Promise<Delivery[]> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': deliveryKeys.patronPartition(patronId) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((i) => this.publicDelivery(i));
  }

  private publicDelivery(item: Record<string, unknown>): Delivery {
    const {
      leaseId: _l,
      leaseUntil: _u,
      messageId: _m,
      ...d
    } = recordOf<Delivery & Record<string, unknown>>(item);
    return d as Delivery;
  }

  async failed(options: {
    limit: number;
    cursor?: string;
  }): Promise<{ data: Delivery[]; cursor: string | null }> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :f',
        ExpressionAttributeValues: { ':f': deliveryKeys.failedPartition },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor, failedCursor),
      }),
    );
    return {
      data: (page.Items ?? []).map((i) => this.publicDelivery(i)),
      cursor: encodeCursor(page.LastEvaluatedKey),
    };
  }

  /** A librarian's retry of a failed delivery: due now with a fresh set of tries. False unless it had failed. */
  async retry(deliveryId: string): Promise<Delivery | undefined> {
    const at = this.clock.now().toISOString();
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deliveryKeys.item(deliveryId),
          UpdateExpression:
            'SET #state = :pending, attempts = :zero, nextAttemptAt = :at, gsi1pk = :due, gsi1sk = :dueSk REMOVE failedAt',
          ConditionExpression: '#state = :failed',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':failed': 'failed',
            ':zero': 0,
            ':at': at,
            ':due': deliveryKeys.duePartition,
            ':dueSk': deliveryKeys.dueSort(at, deliveryId),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return this.publicDelivery(Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailure(error)) return undefined;
      throw error;
    }
  }

  // ---- wishes -----------------------------------------------------------------------------------

  /** True when this call made the wish (false: the patron had wished for it already). */
  async addWish(patronId: string, titleId: string): Promise<{ wish: Wish; created: boolean }> {
    const createdAt = this.clock.now().toISOString();
    const wish: Wish = { patronId, titleId, createdAt };
    try {
      await this.send([
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...wishKeys.item(patronId, titleId),
              ...wish,
              gsi1pk: wishKeys.titlePartition(titleId),
              gsi1sk: wishKeys.titleSort(createdAt, patronId),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        this.wishCount(titleId, 1),
      ]);
      return { wish, created: true };
    } catch (error) {
      if (
        isTransactionCancelled(error) &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        const existing = (await this.wishesOf(patronId)).find((w) => w.titleId === titleId);
        return { wish: existing ?? wish, created: false };
      }
      throw error;
    }
  }

  private wishCount(titleId: string, delta: number): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: wishKeys.count(titleId),
        UpdateExpression: 'ADD #open :d SET titleId = :t, gsi2pk = :g, gsi2sk = :gs',
        ExpressionAttributeNames: { '#open': 'open' },
        ExpressionAttributeValues: {
          ':d': delta,
          ':t': titleId,
          ':g': wishKeys.countsPartition,
          ':gs': wishKeys.countsSort(titleId),
        },
      },
    };
  }

  async removeWish(patronId: string, titleId: string): Promise<boolean> {
    try {
      await this.send([
        {
          Delete: {
            TableName: this.tableName,
            Key: wishKeys.item(patronId, titleId),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        this.wishCount(titleId, -1),
      ]);
      return true;
    } catch (error) {
      if (isTransactionCancelled(error) && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed')
        return false;
      throw error;
    }
  }

  async wishesOf(patronId: string): Promise<Wish[]> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': wishKeys.patronPartition(patronId),
          ':prefix': wishKeys.patronPrefix,
        },
        ConsistentRead: true,
      }),
    );
    return Items.map((i) => recordOf<Wish>(i));
  }

  /** Open wishes per title, for librarians (titles nobody wishes for any more are left out). */
  async wishCounts(): Promise<{ titleId: string; wishes: number }[]> {
    const counts: { titleId: string; wishes: number }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :g',
          ExpressionAttributeValues: { ':g': wishKeys.countsPartition },
          ExclusiveStartKey: start,
        }),
      );
      for (const i of page.Items ?? []) {
        const wishes = Number(i.open ?? 0);
        if (wishes > 0) counts.push({ titleId: String(i.titleId), wishes });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return counts.sort((a, b) => b.wishes - a.wishes || a.titleId.localeCompare(b.titleId));
  }

  /**
   * Tells every wisher of a title that it can be lent now: each wish is fulfilled (removed, counted) in the
   * same transaction as its notification, so a wisher is told once even when two librarians add licences at
   * once. Answers how many were told by this call.
   */
  async fulfilWishes(titleId: string): Promise<number> {
    // Read first: only the marker this call serves is deleted after, never one a newer licence change wrote.
    const { Item: marker } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: wishKeys.toTell(titleId), ConsistentRead: true }),
    );
    const { told, done } = await this.tellWishers(titleId);
    if (done && marker) await this.dropMarker(titleId, String(marker.mark));
    return told;
  }

  /**
   * Tells the wishers of every title whose outbox marker is still there (a crash after the licence change,
   * before its teller finished): the sweeper's part of "a wished-for title became available". Answers how
   * many wishers were told.
   */
  async tellWaitingWishers(): Promise<{ told: number }> {
    let told = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': wishKeys.toTellPartition },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) told += await this.fulfilWishes(String(item.titleId));
      start = page.LastEvaluatedKey;
    } while (start);
    return { told };
  }

  private async dropMarker(titleId: string, mark: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: wishKeys.toTell(titleId),
          ConditionExpression: 'mark = :m',
          ExpressionAttributeValues: { ':m': mark },
        }),
      );
    } catch (error) {
      // A newer licence change wrote its own marker: its teller (or the next sweep) serves it.
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  private async tellWishers(titleId: string): Promise<{ told: number; done: boolean }> {
    let told = 0;
    // Bounded: a wish already fulfilled may still show in the index for a moment.
    for (let round = 0; round < 40; round++) {
      const { Items = [] } = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :w',
          ExpressionAttributeValues: { ':w': wishKeys.titlePartition(titleId) },
          Limit: 25,
        }),
      );
      if (Items.length === 0) return { told, done: true };
      let progressed = false;
      for (const item of Items) {
        const wish = recordOf<Wish>(item);
        const now = this.clock.now();
        const event: NotificationEvent = {
          id: eventIds.wishAvailable(wish.patronId, titleId, wish.createdAt),
          patronId: wish.patronId,
          kind: 'wish-available',
          titleId,
        };
        try {
          await this.send([
            {
              Delete: {
                TableName: this.tableName,
                Key: wishKeys.item(wish.patronId, titleId),
                ConditionExpression: 'createdAt = :c',
                ExpressionAttributeValues: { ':c': wish.createdAt },
              },
            },
            this.wishCount(titleId, -1),
            ...this.eventWrites(event, now, { once: true }).map((w) => w.item),
          ]);
          told += 1;
          progressed = true;
        } catch (error) {
          if (!isTransactionCancelled(error)) throw error;
          // Another run fulfilled it first (or the index is behind): the next query shows what is left.
          progressed = true;
        }
      }
      if (!progressed) return { told, done: false };
    }
    return { told, done: false };
  }

  // ---- time-based events (the sweeper) -----------------------------------------------------------

  /**
   * Records the notices that fall due by time: a reservation in its last 24 hours, a loan 3 days and 1 day
   * before its end. Reads the due partitions of the next days (the same index the sweeper ends things from)
   * and records each notice once (`recordOnce`), so any number of sweeps tell a patron once.
   */
  async recordTimeNotices(): Promise<{ recorded: number }> {
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + 3 * 86_400_000);
    let recorded = 0;
    for (let at = new Date(now); dayOf(at) <= dayOf(horizon); at = new Date(at.getTime() + 86_400_000)) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :due AND gsi1sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':due': dueKeys.partition(at.toISOString()),
              ':from': now.toISOString(),
              ':to': dueKeys.upTo(horizon.toISOString()),
            },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          const event = timeNoticeOf(item, now);
          if (event && (await this.recordOnce(event))) recorded += 1;
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return { recorded };
  }
}

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/** The notice a due item (a running loan, a reserved hold) calls for at `now`, if any. */
function timeNoticeOf(item: Record<string, unknown>, now: Date): NotificationEvent | undefined {
  const patronId = String(item.patronId);
  const titleId = String(item.titleId);
  if (item.sk === 'LOAN' && item.status === 'active' && typeof item.expiresAt === 'string') {
    const kind = loanNoticeDue(item.expiresAt, now);
    if (!kind) return undefined;
    return {
      id: eventIds.loanEnding(kind, String(item.id), item.expiresAt),
      patronId,
      kind,
      titleId,
      deadline: item.expiresAt,
    };
  }
  if (item.sk === 'HOLD' && item.status === 'reserved' && typeof item.reservedUntil === 'string') {
    if (!reservationNoticeDue(item.reservedUntil, now)) return undefined;
    return {
      id: eventIds.reservationExpiring(String(item.id)),
      patronId,
      kind: 'reservation-expiring',
      titleId,
      deadline: item.reservedUntil,
    };
  }
  return undefined;
}
