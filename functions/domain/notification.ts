/**
 * Notifications: what a patron is told, on which channel, and how a delivery is tried. An event is recorded
 * with the state change that causes it (the lending transaction writes it) or, for time-based events, once by
 * the sweeper under a key made from the event itself; in the app it is shown at once, by e-mail it is an
 * outbox delivery the notifier sends, retried with backoff, and marked failed after the last try.
 */

export const notificationKinds = [
  'hold-reserved',
  'reservation-expiring',
  'reservation-lapsed',
  'loan-ending-3d',
  'loan-ending-1d',
  'loan-ended',
  'wish-available',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** Mails that are not notifications: they go through the same outbox and transport, never to the app. */
export type MailKind = NotificationKind | 'verify-email';

export type Language = 'id' | 'en';
export const defaultLanguage: Language = 'id';

export function languageOf(value: unknown): Language {
  return value === 'en' ? 'en' : defaultLanguage;
}

/** One thing a patron is told (the in-app channel shows it as is). */
export interface Notification {
  /** Also the id of its e-mail delivery: one event, one delivery per channel. */
  id: string;
  patronId: string;
  kind: NotificationKind;
  titleId: string;
  /** The deadline the event is about (reservation or loan end), ISO instant. */
  deadline?: string;
  createdAt: string;
  readAt?: string;
}

export type DeliveryState = 'pending' | 'sent' | 'failed' | 'skipped';

/** The e-mail side of an event: one item, tried until sent, skipped or failed. */
export interface Delivery {
  id: string;
  patronId: string;
  kind: MailKind;
  titleId?: string;
  deadline?: string;
  /** Only for verify-email: the address being verified (never the patron's verified one). */
  to?: string;
  state: DeliveryState;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  sentAt?: string;
  failedAt?: string;
  /** Why it was skipped or why the last try failed (no address, preference off, the server's answer). */
  reason?: string;
}

/** Tries per delivery, then it is marked failed and shown to librarians. */
export const maxDeliveryAttempts = 5;
/** Backoff between tries: 1, 2, 4, 8 minutes (the notifier runs every minute on AWS). */
export const retryBaseMs = 60_000;

export function nextAttemptAfter(attempts: number, now: Date, baseMs = retryBaseMs): Date {
  return new Date(now.getTime() + baseMs * 2 ** Math.max(0, attempts - 1));
}

/** How long a claimed delivery is left to its claimer: longer than a send may take (see the transports). */
export const deliveryLeaseMs = 120_000;

/** In-app notifications are kept this long (TTL). */
export const notificationRetentionDays = 90;

/** The patron's e-mail settings: an address is used only once verified; per-kind preferences default on. */
export interface NotificationSettings {
  patronId: string;
  email?: string;
  emailVerifiedAt?: string;
  pendingEmail?: string;
  /** Kinds whose e-mail the patron turned off; in-app notifications are always on. */
  emailOff: NotificationKind[];
  updatedAt?: string;
}

export function wantsEmail(settings: NotificationSettings | undefined, kind: MailKind): boolean {
  if (kind === 'verify-email') return true;
  return !(settings?.emailOff ?? []).includes(kind);
}

/** The deterministic id of an event: the same event recorded twice (two sweeps) collapses into one. */
export const eventIds = {
  holdReserved: (holdId: string) => `hold-reserved.${holdId}`,
  reservationExpiring: (holdId: string) => `reservation-expiring.${holdId}`,
  reservationLapsed: (holdId: string) => `reservation-lapsed.${holdId}`,
  /** Per loan end: a renewed loan is told again about its new end. */
  loanEnding: (kind: 'loan-ending-3d' | 'loan-ending-1d', loanId: string, expiresAt: string) =>
    `${kind}.${loanId}.${Date.parse(expiresAt)}`,
  loanEnded: (loanId: string) => `loan-ended.${loanId}`,
  wishAvailable: (patronId: string, titleId: string, at: string) =>
    `wish-available.${patronId}.${titleId}.${Date.parse(at)}`,
};

/** Which time-based notice, if any, a running loan is due at `now` (the 1-day notice supersedes the 3-day one). */
export function loanNoticeDue(expiresAt: string, now: Date): 'loan-ending-3d' | 'loan-ending-1d' | undefined {
  const left = Date.parse(expiresAt) - now.getTime();
  if (left <= 0) return undefined;
  if (left <= 86_400_000) return 'loan-ending-1d';
  if (left <= 3 * 86_400_000) return 'loan-ending-3d';
  return undefined;
}

export function reservationNoticeDue(reservedUntil: string, now: Date): boolean {
  const left = Date.parse(reservedUntil) - now.getTime();
  return left > 0 && left <= 86_400_000;
}

/** A wish: tell me when the library can lend this title. */
export interface Wish {
  patronId: string;
  titleId: string;
  createdAt: string;
}

/** What a sent mail is made of before a transport turns it into MIME. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/** What the notifier hands the transport: built once, sent as is by SMTP locally or SES on AWS. */
export interface OutgoingMail extends MailContent {
  to: string;
  /** One-click unsubscribe (RFC 8058), for notifications only. */
  unsubscribeUrl?: string;
}

/** Sends a mail; throws on refusal or when the server cannot be reached (the delivery is then retried). */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** Signs and checks the links in mails (unsubscribe, verify an address): a tampered link is refused. */
export interface MailLinkSigner {
  sign(claims: Record<string, string>): Promise<string>;
  /** The claims, or undefined when the signature or the expiry does not hold. */
  verify(token: string): Promise<Record<string, string> | undefined>;
}
