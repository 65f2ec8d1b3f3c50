import { api } from './client';
import type { components } from './contract';
import type { Answer, RequestBody } from './types';

/**
 * The notification part of the gateway's contract (/openapi.json: tags Notifications and Wishes): aliases of the
 * types generated from the OpenAPI document (./contract.ts), so a drift fails the type check.
 */
type Schemas = components['schemas'];

export type NotificationKind = Schemas['NotificationKind'];
/** Every kind, in the order the settings list them: a kind the contract adds or drops fails the type check. */
const kindsListed: Record<NotificationKind, true> = {
  'hold-reserved': true,
  'reservation-expiring': true,
  'reservation-lapsed': true,
  'loan-ending-3d': true,
  'loan-ending-1d': true,
  'loan-ended': true,
  'wish-available': true,
};
export const notificationKinds = Object.keys(kindsListed) as readonly NotificationKind[];

export type AppNotification = Schemas['Notification'];
export type NotificationPage = Schemas['NotificationPage'];
export type NotificationSettings = Schemas['NotificationSettings'];
export type Delivery = Schemas['Delivery'];
export type PatronNotification = Schemas['PatronNotification'];
export type Wish = Schemas['Wish'];

const enc = encodeURIComponent;

export const notifications = {
  list(cursor?: string | null): Promise<NotificationPage> {
    const params = new URLSearchParams({ limit: '20' });
    if (cursor) params.set('cursor', cursor);
    return api.request('GET', `/me/notifications?${params}`);
  },
  async unread(): Promise<number> {
    return (await api.request<Answer<'/me/notifications/unread', 'get'>>('GET', '/me/notifications/unread'))
      .unread;
  },
  markRead(id: string): Promise<void> {
    return api.request('POST', `/me/notifications/${enc(id)}/read`);
  },
  markAllRead(): Promise<Schemas['NotificationsMarked']> {
    return api.request('POST', '/me/notifications/read');
  },
  settings(): Promise<NotificationSettings> {
    return api.request('GET', '/me/notification-settings');
  },
  setEmailOff(emailOff: NotificationKind[]): Promise<NotificationSettings> {
    return api.request('PUT', '/me/notification-settings', {
      body: { emailOff } satisfies RequestBody<'/me/notification-settings', 'put'>,
    });
  },
  setEmail(email: string): Promise<NotificationSettings> {
    return api.request('PUT', '/me/email', { body: { email } satisfies RequestBody<'/me/email', 'put'> });
  },
  addWish(titleId: string): Promise<Wish> {
    return api.request('POST', '/me/wishes', {
      body: { titleId } satisfies RequestBody<'/me/wishes', 'post'>,
    });
  },
  async wishes(): Promise<Wish[]> {
    return (await api.request<Answer<'/me/wishes', 'get'>>('GET', '/me/wishes')).data;
  },
  removeWish(titleId: string): Promise<void> {
    return api.request('DELETE', `/me/wishes/${enc(titleId)}`);
  },
};

export const notificationAdmin = {
  ofPatron(patronId: string): Promise<Schemas['PatronNotifications']> {
    return api.request('GET', `/admin/patrons/${enc(patronId)}/notifications`);
  },
  failed(cursor?: string | null): Promise<Schemas['DeliveryPage']> {
    return api.request('GET', `/admin/deliveries/failed${cursor ? `?cursor=${enc(cursor)}` : ''}`);
  },
  retry(id: string): Promise<Delivery> {
    return api.request('POST', `/admin/deliveries/${enc(id)}/retry`);
  },
};
