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
import * as z from 'zod/mini';
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
import { decodeCursor, encodeCursor, indexCursor } from './cursor';
import { isConditionalCheckFailure, isTransactionCancelled } from './dynamo-item';
import {
  deliveryEntity,
  dueKinds,
  holdEntity,
  indexQuery,
  loanEntity,
  notificationEntity,
  notificationSettingsEntity,
  wishCountEntity,
  wishEntity,
  wishersToTellEntity,
} from './entities';
import { DueDays, dayOf } from './lending/due-days';
import { indexes } from './table-schema';
import { deliveryKeys, dueKeys, notificationKeys, wishKeys } from './keys';
import type { PlannedWrite, TransactItem } from './transactions';

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
const retentionSeconds = notificationRetentionDays * 86_400;

const pageCursor = z.object({ pk: z.string(), sk: z.string() });
const failedCursor = indexCursor(indexes.gsi1, { pk: z.string(), sk: z.string() });

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
            Item: notificationEntity.toItem({ ...notification, eventId: event.id }, { ttl }),
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
    return deliveryEntity.toItem(delivery, { ttl });
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
        const { eventId: _e, ...n } = notificationEntity.fromItem(i);
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
    const stored = notificationSettingsEntity.fromItem(Item);
    return { ...stored, patronId, emailOff: stored.emailOff ?? [] };
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
    const stored = notificationSettingsEntity.fromItem(Attributes ?? {});
    return { ...stored, patronId, emailOff: stored.emailOff ?? [] };
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
        ...indexQuery(indexes.gsi1, deliveryKeys.duePartition, {
          sort: { '<=': deliveryKeys.dueUpTo(this.clock.now().toISOString()) },
          limit,
        }),
      }),
    );
    return Items.map((i) => deliveryEntity.fromItem(i));
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
      const { leaseId: _l, leaseUntil: _u, ...delivery } = deliveryEntity.fromItem(Attributes ?? {});
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
      update = `SET #state = :sent, sentAt = :at, messageId = :mid REMOVE ${dueIndex}, leaseId, leaseUntil, reason`;
      values = { ':sent': 'sent', ':at': at, ':mid': outcome.messageId };
    } else if (outcome.kind === 'skipped') {
      state = 'skipped';
      update = `SET #state = :skipped, reason = :reason REMOVE ${dueIndex}, leaseId, leaseUntil`;
      values = { ':skipped': 'skipped', ':reason': outcome.reason };
    } else if (delivery.attempts >= maxDeliveryAttempts) {
      state = 'failed';
      update = `SET #state = :failed, failedAt = :at, reason = :reason, ${indexes.gsi1.partitionKey} = :failedPk, ${indexes.gsi1.sortKey} = :failedSk REMOVE leaseId, leaseUntil`;
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
      update = `SET nextAttemptAt = :next, reason = :reason, ${indexes.gsi1.sortKey} = :dueSk REMOVE leaseId, leaseUntil`;
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
    return deliveryEntity.fromMaybe(Item);
  }

  async deliveriesOf(patronId: string, limit = 100): Promise<Delivery[]> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        ...indexQuery(indexes.gsi2, deliveryKeys.patronPartition(patronId), { limit }),
        ScanIndexForward: false,
      }),
    );
    return Items.map((i) => this.publicDelivery(i));
  }

  /** A delivery without what only the notifier needs (its lease, the mail server's message id). */
  private publicDelivery(item: Record<string, unknown>): Delivery {
    const { leaseId: _l, leaseUntil: _u, messageId: _m, ...delivery } = deliveryEntity.fromItem(item);
    return delivery;
  }

  async failed(options: {
    limit: number;
    cursor?: string;
  }): Promise<{ data: Delivery[]; cursor: string | null }> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        ...indexQuery(indexes.gsi1, deliveryKeys.failedPartition, { limit: options.limit }),
        ScanIndexForward: false,
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
          UpdateExpression: `SET #state = :pending, attempts = :zero, nextAttemptAt = :at, ${indexes.gsi1.partitionKey} = :due, ${indexes.gsi1.sortKey} = :dueSk REMOVE failedAt`,
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
            Item: wishEntity.toItem(wish),
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
    const listed = wishCountEntity.indexAttributes({ titleId });
    return {
      Update: {
        TableName: this.tableName,
        Key: wishCountEntity.key(titleId),
        UpdateExpression: 'ADD #open :d SET titleId = :t, #g = :g, #gs = :gs',
        ExpressionAttributeNames: {
          '#open': 'open',
          '#g': indexes.gsi2.partitionKey,
          '#gs': indexes.gsi2.sortKey,
        },
        ExpressionAttributeValues: {
          ':d': delta,
          ':t': titleId,
          ':g': listed[indexes.gsi2.partitionKey],
          ':gs': listed[indexes.gsi2.sortKey],
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
    return Items.map((i) => wishEntity.fromItem(i));
  }

  /** Open wishes per title, for librarians (titles nobody wishes for any more are left out). */
  async wishCounts(): Promise<{ titleId: string; wishes: number }[]> {
    const counts: { titleId: string; wishes: number }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...indexQuery(indexes.gsi2, wishKeys.countsPartition),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const { titleId, open: wishes = 0 } = wishCountEntity.fromItem(item);
        if (wishes > 0) counts.push({ titleId, wishes });
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
      new GetCommand({
        TableName: this.tableName,
        Key: wishersToTellEntity.key(titleId),
        ConsistentRead: true,
      }),
    );
    const { told, done } = await this.tellWishers(titleId);
    if (done && marker) await this.dropMarker(titleId, wishersToTellEntity.fromItem(marker).mark);
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
          ...indexQuery(indexes.gsi1, wishKeys.toTellPartition),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? [])
        told += await this.fulfilWishes(wishersToTellEntity.fromItem(item).titleId);
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
          ...indexQuery(indexes.gsi1, wishKeys.titlePartition(titleId), { limit: 25 }),
        }),
      );
      if (Items.length === 0) return { told, done: true };
      let progressed = false;
      for (const item of Items) {
        const wish = wishEntity.fromItem(item);
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
    // Today's and the next days' due partitions, from now to the horizon.
    for await (const { items } of new DueDays(this.documents, this.tableName).walk({
      now,
      from: dayOf(now),
      lastDay: dayOf(horizon),
      sort: { between: [now.toISOString(), dueKeys.upTo(horizon.toISOString())] },
    })) {
      for (const item of items) {
        const event = timeNoticeOf(item, now);
        if (event && (await this.recordOnce(event))) recorded += 1;
      }
    }
    return { recorded };
  }
}

/** What leaves the due index once a delivery is sent or skipped. */
const dueIndex = `${indexes.gsi1.partitionKey}, ${indexes.gsi1.sortKey}`;

/** The notice a due item (a running loan, a reserved hold) calls for at `now`, if any. */
function timeNoticeOf(item: Record<string, unknown>, now: Date): NotificationEvent | undefined {
  if (item.sk === dueKinds.loan) {
    const loan = loanEntity.fromItem(item);
    const kind = loan.status === 'active' ? loanNoticeDue(loan.expiresAt, now) : undefined;
    if (!kind) return undefined;
    return {
      id: eventIds.loanEnding(kind, loan.id, loan.expiresAt),
      patronId: loan.patronId,
      kind,
      titleId: loan.titleId,
      deadline: loan.expiresAt,
    };
  }
  if (item.sk === dueKinds.hold) {
    const hold = holdEntity.fromItem(item);
    if (hold.status !== 'reserved' || hold.reservedUntil === undefined) return undefined;
    if (!reservationNoticeDue(hold.reservedUntil, now)) return undefined;
    return {
      id: eventIds.reservationExpiring(hold.id),
      patronId: hold.patronId,
      kind: 'reservation-expiring',
      titleId: hold.titleId,
      deadline: hold.reservedUntil,
    };
  }
  return undefined;
}
