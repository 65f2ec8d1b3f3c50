import { api } from './client';

/** The notification part of the gateway's contract (/openapi.json: tags Notifications and Wishes). */
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

export interface AppNotification {
  id: string;
  kind: NotificationKind;
  titleId: string;
  title?: string;
  deadline?: string;
  createdAt: string;
  readAt?: string;
}

export interface NotificationPage {
  data: AppNotification[];
  cursor: string | null;
  unread: number;
}

export interface NotificationSettings {
  email?: string;
  emailVerifiedAt?: string;
  pendingEmail?: string;
  emailOff: NotificationKind[];
  kinds: NotificationKind[];
}

export interface Delivery {
  id: string;
  patronId: string;
  kind: NotificationKind | 'verify-email';
  titleId?: string;
  state: 'pending' | 'sent' | 'failed' | 'skipped';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  sentAt?: string;
  failedAt?: string;
  reason?: string;
}

export interface PatronNotification extends Omit<AppNotification, 'title'> {
  email?: Delivery;
}

const enc = encodeURIComponent;

export const notifications = {
  list(cursor?: string | null): Promise<NotificationPage> {
    const params = new URLSearchParams({ limit: '20' });
    if (cursor) params.set('cursor', cursor);
    return api.request('GET', `/me/notifications?${params}`);
  },
  async unread(): Promise<number> {
    return (await api.request<{ unread: number }>('GET', '/me/notifications/unread')).unread;
  },
  markRead(id: string): Promise<void> {
    return api.request('POST', `/me/notifications/${enc(id)}/read`);
  },
  markAllRead(): Promise<{ marked: number }> {
    return api.request('POST', '/me/notifications/read');
  },
  settings(): Promise<NotificationSettings> {
    return api.request('GET', '/me/notification-settings');
  },
  setEmailOff(emailOff: NotificationKind[]): Promise<NotificationSettings> {
    return api.request('PUT', '/me/notification-settings', { body: { emailOff } });
  },
  setEmail(email: string): Promise<NotificationSettings> {
    return api.request('PUT', '/me/email', { body: { email } });
  },
  addWish(titleId: string): Promise<{ titleId: string; createdAt: string }> {
    return api.request('POST', '/me/wishes', { body: { titleId } });
  },
  async wishes(): Promise<{ titleId: string; createdAt: string }[]> {
    return (await api.request<{ data: { titleId: string; createdAt: string }[] }>('GET', '/me/wishes')).data;
  },
  removeWish(titleId: string): Promise<void> {
    return api.request('DELETE', `/me/wishes/${enc(titleId)}`);
  },
};

export const notificationAdmin = {
  ofPatron(patronId: string): Promise<{ data: PatronNotification[]; otherMail: Delivery[] }> {
    return api.request('GET', `/admin/patrons/${enc(patronId)}/notifications`);
  },
  failed(cursor?: string | null): Promise<{ data: Delivery[]; cursor: string | null }> {
    return api.request('GET', `/admin/deliveries/failed${cursor ? `?cursor=${enc(cursor)}` : ''}`);
  },
  retry(id: string): Promise<Delivery> {
    return api.request('POST', `/admin/deliveries/${enc(id)}/retry`);
  },
};
