import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { notificationKinds, type Delivery } from '../../domain/notification';
import { noteAudit } from '../admin';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

const DeliverySchema = doc(
  z.object({
    id: doc(z.string(), { description: 'The event’s id (one delivery per event and channel)' }),
    patronId: z.string(),
    kind: z.enum([...notificationKinds, 'verify-email']),
    titleId: z.optional(z.string()),
    deadline: z.optional(z.string()),
    state: z.enum(['pending', 'sent', 'failed', 'skipped']),
    attempts: z.int(),
    createdAt: z.string(),
    nextAttemptAt: z.string(),
    sentAt: z.optional(z.string()),
    failedAt: z.optional(z.string()),
    reason: doc(z.optional(z.string()), { description: 'Why it was skipped, or the last failure' }),
  }),
  { id: 'Delivery' },
);

const PatronNotificationSchema = doc(
  z.object({
    id: z.string(),
    kind: z.enum(notificationKinds),
    titleId: z.string(),
    deadline: z.optional(z.string()),
    createdAt: z.string(),
    readAt: z.optional(z.string()),
    email: doc(z.optional(DeliverySchema), { description: 'Its e-mail delivery' }),
  }),
  { id: 'PatronNotification' },
);

const bearer = [{ bearer: [] }];
const tags = ['Notifications (librarians)'];

const patronNotifications = createRoute({
  method: 'get',
  path: '/admin/patrons/{id}/notifications',
  operationId: 'listPatronNotifications',
  tags,
  summary: 'A patron’s notifications (newest first) with each e-mail delivery’s state',
  security: bearer,
  request: { params: z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) }) },
  responses: {
    200: {
      description: 'The notifications, and deliveries that are no notification (address confirmations)',
      content: {
        'application/json': {
          schema: doc(
            z.object({ data: z.array(PatronNotificationSchema), otherMail: z.array(DeliverySchema) }),
            { id: 'PatronNotifications' },
          ),
        },
      },
    },
    400: problemContent('A bad id', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
    404: problemContent('No such patron', ['PATRON_NOT_FOUND']),
  },
});

const failedDeliveries = createRoute({
  method: 'get',
  path: '/admin/deliveries/failed',
  operationId: 'listFailedDeliveries',
  tags,
  summary: 'E-mails that failed after their last retry, newest first',
  security: bearer,
  request: {
    query: z.object({
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
      cursor: z.optional(z.string().check(z.maxLength(2048))),
    }),
  },
  responses: {
    200: {
      description: 'A page',
      content: {
        'application/json': {
          schema: doc(z.object({ data: z.array(DeliverySchema), cursor: z.nullable(z.string()) }), {
            id: 'DeliveryPage',
          }),
        },
      },
    },
    400: problemContent('A bad limit or cursor', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
  },
});

const retryDelivery = createRoute({
  method: 'post',
  path: '/admin/deliveries/{id}/retry',
  operationId: 'retryDelivery',
  tags,
  summary: 'Try a failed e-mail again (a fresh set of retries, due now)',
  security: bearer,
  request: { params: z.object({ id: z.string().check(z.minLength(1), z.maxLength(300)) }) },
  responses: {
    200: {
      description: 'The delivery, pending again',
      content: { 'application/json': { schema: DeliverySchema } },
    },
    400: problemContent('A bad id', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
    404: problemContent('No such delivery', ['DELIVERY_NOT_FOUND']),
    409: problemContent('The delivery has not failed', ['DELIVERY_NOT_FAILED']),
  },
});

const wishCounts = createRoute({
  method: 'get',
  path: '/admin/wishes',
  operationId: 'listWishCounts',
  tags: ['Wishes'],
  summary: 'Open wishes per title, most wished for first (a demand signal for licensing)',
  security: bearer,
  responses: {
    200: {
      description: 'The counts',
      content: {
        'application/json': {
          schema: doc(
            z.object({
              data: z.array(
                z.object({ titleId: z.string(), title: z.optional(z.string()), wishes: z.int() }),
              ),
            }),
            { id: 'WishCounts' },
          ),
        },
      },
    },
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
  },
});

export function adminNotificationRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(patronNotifications, async (c) => {
    const { id } = c.req.valid('param');
    const deps = c.get('deps');
    if (!(await deps.patrons.get(id)))
      throw new NotFoundError({
        code: 'PATRON_NOT_FOUND',
        detail: `Patron ${id} was not found.`,
        context: { id },
      });
    const [listed, deliveries] = await Promise.all([
      deps.notifications.list(id, { limit: 50 }),
      deps.notifications.deliveriesOf(id, 100),
    ]);
    const byEvent = new Map<string, Delivery>(deliveries.map((d) => [d.id, d]));
    const data = listed.data.map(({ patronId: _p, ...n }) => {
      // The in-app id is the event id behind the instant it was told: the e-mail delivery carries the event id.
      const eventId = n.id.slice(n.id.indexOf('.') + 1);
      const email = byEvent.get(eventId);
      return email ? { ...n, email } : n;
    });
    c.header('Cache-Control', 'no-store');
    return c.json({ data, otherMail: deliveries.filter((d) => d.kind === 'verify-email') }, 200);
  });

  app.openapi(failedDeliveries, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await c.get('deps').notifications.failed({ limit, ...(cursor ? { cursor } : {}) });
    c.header('Cache-Control', 'no-store');
    return c.json(page, 200);
  });

  app.openapi(retryDelivery, async (c) => {
    const { id } = c.req.valid('param');
    noteAudit(c, { action: 'delivery.retry', details: { deliveryId: id } });
    const deps = c.get('deps');
    const retried = await deps.notifications.retry(id);
    if (!retried) {
      if (!(await deps.notifications.delivery(id)))
        throw new NotFoundError({
          code: 'DELIVERY_NOT_FOUND',
          detail: `No delivery ${id}.`,
          context: { id },
        });
      throw new ConflictError({
        code: 'DELIVERY_NOT_FAILED',
        detail: `Delivery ${id} has not failed.`,
        context: { id },
      });
    }
    return c.json(retried, 200);
  });

  app.openapi(wishCounts, async (c) => {
    const deps = c.get('deps');
    const counts = await deps.notifications.wishCounts();
    const data = await Promise.all(
      counts.map(async (count) => {
        const title = (await deps.titles.get(count.titleId))?.title;
        return title ? { ...count, title } : count;
      }),
    );
    c.header('Cache-Control', 'no-store');
    return c.json({ data }, 200);
  });
}
