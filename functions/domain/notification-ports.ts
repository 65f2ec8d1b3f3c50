import type {
  Delivery,
  MailKind,
  Notification,
  NotificationKind,
  NotificationSettings,
  Wish,
} from './notification';

/** An event as the code that causes it knows it. */
export interface NotificationEvent {
  id: string;
  patronId: string;
  kind: NotificationKind;
  titleId: string;
  deadline?: string;
}

/** What a claimed delivery's try came to. */
export type DeliveryOutcome =
  | { kind: 'sent'; messageId: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string };

/** Notifications, deliveries, e-mail settings and wishes (functions/adapters/notification-repository.ts). */
export interface NotificationRepository {
  recordOnce(event: NotificationEvent): Promise<boolean>;
  queueMail(request: { patronId: string; kind: MailKind; to: string }): Promise<Delivery>;
  list(
    patronId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ data: Notification[]; cursor: string | null }>;
  unreadCount(patronId: string): Promise<number>;
  markRead(patronId: string, notificationId: string): Promise<boolean>;
  markAllRead(patronId: string): Promise<number>;
  settings(patronId: string): Promise<NotificationSettings>;
  setEmailOff(patronId: string, emailOff: NotificationKind[]): Promise<NotificationSettings>;
  turnEmailOff(patronId: string, kind: NotificationKind): Promise<NotificationSettings>;
  setPendingEmail(patronId: string, email: string): Promise<void>;
  verifyEmail(patronId: string, email: string): Promise<boolean>;
  setVerifiedEmail(patronId: string, email: string): Promise<void>;
  due(limit: number): Promise<Delivery[]>;
  claim(deliveryId: string): Promise<{ lease: string; delivery: Delivery } | undefined>;
  settle(delivery: Delivery, lease: string, outcome: DeliveryOutcome): Promise<Delivery['state']>;
  delivery(deliveryId: string): Promise<Delivery | undefined>;
  deliveriesOf(patronId: string, limit?: number): Promise<Delivery[]>;
  failed(options: { limit: number; cursor?: string }): Promise<{ data: Delivery[]; cursor: string | null }>;
  retry(deliveryId: string): Promise<Delivery | undefined>;
  addWish(patronId: string, titleId: string): Promise<{ wish: Wish; created: boolean }>;
  removeWish(patronId: string, titleId: string): Promise<boolean>;
  wishesOf(patronId: string): Promise<Wish[]>;
  wishCounts(): Promise<{ titleId: string; wishes: number }[]>;
  fulfilWishes(titleId: string): Promise<number>;
  /** Tells the wishers a crash left untold (the outbox markers of licence changes); the sweeper's part. */
  tellWaitingWishers(): Promise<{ told: number }>;
  recordTimeNotices(): Promise<{ recorded: number }>;
}
