import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import type { Context } from 'hono';
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../../domain/errors';
import { lendingErrors } from '../../domain/lending-errors';
import { isUsable } from '../../domain/licence';
import {
  languageOf,
  notificationKinds,
  type Language,
  type MailLinkSigner,
  type Notification,
  type NotificationKind,
} from '../../domain/notification';
import { requireCaller } from '../auth';
import type { AppDeps, AppEnv } from '../deps';
import { problemContent } from '../schemas';

// ---- schemas --------------------------------------------------------------------------------------

const KindSchema = doc(z.enum(notificationKinds), { id: 'NotificationKind' });

const NotificationSchema = doc(
  z.object({
    id: z.string(),
    kind: KindSchema,
    titleId: z.string(),
    title: doc(z.optional(z.string()), { description: 'The title’s name, when it still exists' }),
    deadline: doc(z.optional(z.string()), { description: 'The reservation or loan end the notice is about' }),
    createdAt: z.string(),
    readAt: z.optional(z.string()),
  }),
  { id: 'Notification' },
);

const NotificationPageSchema = doc(
  z.object({
    data: z.array(NotificationSchema),
    cursor: z.nullable(z.string()),
    unread: z.int(),
  }),
  { id: 'NotificationPage' },
);

const UnreadSchema = doc(z.object({ unread: z.int() }), { id: 'UnreadNotifications' });
const MarkedSchema = doc(z.object({ marked: z.int() }), { id: 'NotificationsMarked' });

const SettingsSchema = doc(
  z.object({
    email: doc(z.optional(z.string()), { description: 'The confirmed address mails go to' }),
    emailVerifiedAt: z.optional(z.string()),
    pendingEmail: doc(z.optional(z.string()), {
      description: 'An address waiting for its confirmation link to be followed; not used yet',
    }),
    emailOff: doc(z.array(KindSchema), {
      description: 'Kinds not sent by e-mail (in the app they always are)',
    }),
    kinds: z.array(KindSchema),
  }),
  { id: 'NotificationSettings' },
);

const WishSchema = doc(z.object({ titleId: z.string(), createdAt: z.string() }), { id: 'Wish' });

const bearer = [{ bearer: [] }];
const tags = ['Notifications'];

const idParam = z.object({ id: z.string().check(z.minLength(1), z.maxLength(300)) });
const titleParam = z.object({ titleId: z.string().check(z.minLength(1), z.maxLength(128)) });
const tokenQuery = z.object({ token: z.string().check(z.minLength(10), z.maxLength(2048)) });

const html = { 'text/html': { schema: z.string() } };
/** What every operation behind a mail's signed link can refuse with. */
const tamperedLink = problemContent('A tampered or expired link', ['INVALID_LINK', 'VALIDATION_FAILED']);
const mailLinksUnavailable = problemContent('Mail links cannot be checked here', ['MAIL_UNAVAILABLE']);

// ---- routes ---------------------------------------------------------------------------------------

const listNotifications = createRoute({
  method: 'get',
  path: '/me/notifications',
  operationId: 'listMyNotifications',
  tags,
  summary: 'The signed-in patron’s notifications, newest first (kept 90 days)',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: {
    query: z.object({
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(50)), 20),
      cursor: z.optional(z.string().check(z.maxLength(2048))),
    }),
  },
  responses: {
    200: { description: 'A page', content: { 'application/json': { schema: NotificationPageSchema } } },
    400: problemContent('A bad limit or cursor', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
  },
});

const unreadCount = createRoute({
  method: 'get',
  path: '/me/notifications/unread',
  operationId: 'countMyUnreadNotifications',
  tags,
  summary: 'How many notifications are unread (the bell’s count)',
  security: bearer,
  middleware: [requireCaller()] as const,
  responses: {
    200: { description: 'The count', content: { 'application/json': { schema: UnreadSchema } } },
    401: problemContent('No or invalid access token'),
  },
});

const markRead = createRoute({
  method: 'post',
  path: '/me/notifications/{id}/read',
  operationId: 'markMyNotificationRead',
  tags,
  summary: 'Mark one notification read',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: { params: idParam },
  responses: {
    204: { description: 'Marked (or was already)' },
    400: problemContent('A bad id', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    404: problemContent('Not one of the patron’s notifications', ['NOTIFICATION_NOT_FOUND']),
  },
});

const markAllRead = createRoute({
  method: 'post',
  path: '/me/notifications/read',
  operationId: 'markAllMyNotificationsRead',
  tags,
  summary: 'Mark every notification read',
  security: bearer,
  middleware: [requireCaller()] as const,
  responses: {
    200: { description: 'How many were marked', content: { 'application/json': { schema: MarkedSchema } } },
    401: problemContent('No or invalid access token'),
  },
});

const getSettings = createRoute({
  method: 'get',
  path: '/me/notification-settings',
  operationId: 'getMyNotificationSettings',
  tags,
  summary: 'The patron’s e-mail address and per-kind e-mail preferences',
  security: bearer,
  middleware: [requireCaller()] as const,
  responses: {
    200: { description: 'The settings', content: { 'application/json': { schema: SettingsSchema } } },
    401: problemContent('No or invalid access token'),
    404: problemContent('No patron record (e.g. a partner member)', ['PATRON_NOT_FOUND']),
  },
});

const putPreferences = createRoute({
  method: 'put',
  path: '/me/notification-settings',
  operationId: 'setMyNotificationPreferences',
  tags,
  summary: 'Choose which kinds are not sent by e-mail (in the app every kind is always shown)',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({ emailOff: z.array(KindSchema).check(z.maxLength(20)) }),
        },
      },
    },
  },
  responses: {
    200: { description: 'The settings', content: { 'application/json': { schema: SettingsSchema } } },
    400: problemContent('Not a list of kinds', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    404: problemContent('No patron record (e.g. a partner member)', ['PATRON_NOT_FOUND']),
  },
});

const putEmail = createRoute({
  method: 'put',
  path: '/me/email',
  operationId: 'setMyEmail',
  tags,
  summary: 'Set or change the e-mail address: a confirmation link is sent to it; it is used once followed',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            email: z.string().check(z.trim(), z.toLowerCase(), z.email(), z.maxLength(254)),
          }),
        },
      },
    },
  },
  responses: {
    202: {
      description: 'The link is on its way',
      content: { 'application/json': { schema: SettingsSchema } },
    },
    400: problemContent('Not an e-mail address', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    404: problemContent('No patron record (e.g. a partner member)', ['PATRON_NOT_FOUND']),
    503: problemContent('Mail links cannot be signed here', ['MAIL_UNAVAILABLE']),
  },
});

const showUnsubscribe = createRoute({
  method: 'get',
  path: '/notifications/unsubscribe',
  operationId: 'showUnsubscribe',
  tags,
  summary: 'The page behind a mail’s unsubscribe link: one button, no sign-in',
  description: 'A GET changes nothing (mail scanners follow links); the button, or a mail client, POSTs.',
  security: [],
  request: { query: tokenQuery },
  responses: {
    200: { description: 'The page', content: html },
    400: tamperedLink,
    503: mailLinksUnavailable,
  },
});

const unsubscribe = createRoute({
  method: 'post',
  path: '/notifications/unsubscribe',
  operationId: 'unsubscribe',
  tags,
  summary: 'One-click unsubscribe (RFC 8058): turns that kind of e-mail off, no sign-in',
  security: [],
  request: { query: tokenQuery },
  responses: {
    200: { description: 'Turned off', content: html },
    400: tamperedLink,
    503: mailLinksUnavailable,
  },
});

const showVerify = createRoute({
  method: 'get',
  path: '/notifications/verify-email',
  operationId: 'showVerifyEmail',
  tags,
  summary: 'The page behind a confirmation link: one button that confirms the address',
  security: [],
  request: { query: tokenQuery },
  responses: {
    200: { description: 'The page', content: html },
    400: tamperedLink,
    503: mailLinksUnavailable,
  },
});

const verify = createRoute({
  method: 'post',
  path: '/notifications/verify-email',
  operationId: 'verifyEmail',
  tags,
  summary: 'Confirms the address the link was sent to; from then on mails go there',
  security: [],
  request: { query: tokenQuery },
  responses: {
    200: { description: 'Confirmed', content: html },
    400: problemContent('A tampered or expired link, or an address since replaced', [
      'INVALID_LINK',
      'VALIDATION_FAILED',
    ]),
    503: mailLinksUnavailable,
  },
});

const addWish = createRoute({
  method: 'post',
  path: '/me/wishes',
  operationId: 'addMyWish',
  tags: ['Wishes'],
  summary: 'Ask to be told when the library can lend a title it has no copies of',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({ titleId: z.string().check(z.minLength(1), z.maxLength(128)) }),
        },
      },
    },
  },
  responses: {
    201: { description: 'The wish', content: { 'application/json': { schema: WishSchema } } },
    200: { description: 'The wish made earlier', content: { 'application/json': { schema: WishSchema } } },
    400: problemContent('A bad body', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    404: problemContent('No such title, or no patron record', ['TITLE_NOT_FOUND', 'PATRON_NOT_FOUND']),
    409: problemContent('The title can be lent (or read) now', ['WISH_NOT_NEEDED', 'TITLE_WITHDRAWN']),
  },
});

const listWishes = createRoute({
  method: 'get',
  path: '/me/wishes',
  operationId: 'listMyWishes',
  tags: ['Wishes'],
  summary: 'The titles the patron asked to be told about',
  security: bearer,
  middleware: [requireCaller()] as const,
  responses: {
    200: {
      description: 'The wishes',
      content: {
        'application/json': { schema: doc(z.object({ data: z.array(WishSchema) }), { id: 'WishList' }) },
      },
    },
    401: problemContent('No or invalid access token'),
  },
});

const removeWish = createRoute({
  method: 'delete',
  path: '/me/wishes/{titleId}',
  operationId: 'removeMyWish',
  tags: ['Wishes'],
  summary: 'No longer be told about a title',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: { params: titleParam },
  responses: {
    204: { description: 'Removed' },
    400: problemContent('A bad id', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    404: problemContent('No wish for that title', ['WISH_NOT_FOUND']),
  },
});

// ---- helpers --------------------------------------------------------------------------------------

function linksOf(deps: AppDeps): MailLinkSigner {
  if (!deps.mailLinks)
    throw new ServiceUnavailableError({
      code: 'MAIL_UNAVAILABLE',
      detail: 'E-mail is not available on this server.',
    });
  return deps.mailLinks;
}

const invalidLink = () =>
  new ValidationError({ code: 'INVALID_LINK', detail: 'This link is not valid or has expired.' });

async function claimsOf(deps: AppDeps, token: string, use: string): Promise<Record<string, string>> {
  const claims = await linksOf(deps).verify(token);
  if (!claims || claims.use !== use || typeof claims.patronId !== 'string') throw invalidLink();
  return claims;
}

async function requirePatron(deps: AppDeps, patronId: string) {
  const patron = await deps.patrons.get(patronId);
  if (!patron)
    throw new NotFoundError({
      code: 'PATRON_NOT_FOUND',
      detail: `Patron ${patronId} was not found.`,
      context: { id: patronId },
    });
  return patron;
}

async function settingsView(deps: AppDeps, patronId: string) {
  const s = await deps.notifications.settings(patronId);
  return {
    ...(s.email ? { email: s.email } : {}),
    ...(s.emailVerifiedAt ? { emailVerifiedAt: s.emailVerifiedAt } : {}),
    ...(s.pendingEmail ? { pendingEmail: s.pendingEmail } : {}),
    emailOff: s.emailOff,
    kinds: [...notificationKinds],
  };
}

async function withTitles(deps: AppDeps, notifications: Notification[]) {
  const ids = [...new Set(notifications.map((n) => n.titleId))];
  const titles = new Map(
    await Promise.all(ids.map(async (id) => [id, (await deps.titles.get(id))?.title] as const)),
  );
  return notifications.map(({ patronId: _p, ...n }) => {
    const title = titles.get(n.titleId);
    return title ? { ...n, title } : n;
  });
}

const pageWords: Record<Language, Record<string, string>> = {
  en: {
    unsubscribeTitle: 'Stop these e-mails',
    unsubscribeAsk: 'Stop e-mails about: {kind}? You will still see these notices in the app.',
    unsubscribeButton: 'Stop these e-mails',
    unsubscribed:
      'Done: the library no longer e-mails you about {kind}. You can turn it back on in your account.',
    verifyTitle: 'Confirm your e-mail address',
    verifyAsk: 'Let the library send its notices to {email}?',
    verifyButton: 'Confirm',
    verified: 'Confirmed: the library will write to {email}.',
  },
  id: {
    unsubscribeTitle: 'Berhenti menerima e-mail ini',
    unsubscribeAsk: 'Berhenti menerima e-mail tentang: {kind}? Pemberitahuan tetap tampil di aplikasi.',
    unsubscribeButton: 'Berhenti menerima e-mail ini',
    unsubscribed:
      'Selesai: perpustakaan tidak lagi mengirim e-mail tentang {kind}. Anda dapat menyalakannya lagi di akun Anda.',
    verifyTitle: 'Konfirmasi alamat e-mail Anda',
    verifyAsk: 'Izinkan perpustakaan mengirim pemberitahuan ke {email}?',
    verifyButton: 'Konfirmasi',
    verified: 'Terkonfirmasi: perpustakaan akan menulis ke {email}.',
  },
};

const kindWords: Record<Language, Record<NotificationKind, string>> = {
  en: {
    'hold-reserved': 'holds ready for you',
    'reservation-expiring': 'reservations about to pass on',
    'reservation-lapsed': 'reservations that passed on',
    'loan-ending-3d': 'loans ending in 3 days',
    'loan-ending-1d': 'loans ending tomorrow',
    'loan-ended': 'loans that ended',
    'wish-available': 'titles you asked for',
  },
  id: {
    'hold-reserved': 'pesanan yang siap',
    'reservation-expiring': 'reservasi yang segera berakhir',
    'reservation-lapsed': 'reservasi yang berakhir',
    'loan-ending-3d': 'peminjaman yang berakhir 3 hari lagi',
    'loan-ending-1d': 'peminjaman yang berakhir besok',
    'loan-ended': 'peminjaman yang berakhir',
    'wish-available': 'judul yang Anda minta',
  },
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

function page(
  c: Context,
  language: Language,
  title: string,
  body: string,
  form?: { action: string; button: string },
) {
  const formHtml = form
    ? `<form method="post" action="${escapeHtml(form.action)}"><button type="submit">${escapeHtml(form.button)}</button></form>`
    : '';
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Content-Security-Policy', "default-src 'none'; form-action 'self'; style-src 'unsafe-inline'");
  return c.html(
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font:1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1rem}</style></head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>${formHtml}</main></body></html>`,
    200,
  );
}

const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (_m, k: string) => values[k] ?? '');

// ---- handlers -------------------------------------------------------------------------------------

export function notificationRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listNotifications, async (c) => {
    const { patronId } = c.get('caller');
    const { limit, cursor } = c.req.valid('query');
    const deps = c.get('deps');
    const [listed, unread] = await Promise.all([
      deps.notifications.list(patronId, { limit, ...(cursor ? { cursor } : {}) }),
      deps.notifications.unreadCount(patronId),
    ]);
    c.header('Cache-Control', 'no-store');
    return c.json({ data: await withTitles(deps, listed.data), cursor: listed.cursor, unread }, 200);
  });

  app.openapi(unreadCount, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ unread: await c.get('deps').notifications.unreadCount(c.get('caller').patronId) }, 200);
  });

  app.openapi(markRead, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await c.get('deps').notifications.markRead(c.get('caller').patronId, id)))
      throw new NotFoundError({
        code: 'NOTIFICATION_NOT_FOUND',
        detail: `No notification ${id}.`,
        context: { id },
      });
    return c.body(null, 204);
  });

  app.openapi(markAllRead, async (c) => {
    return c.json({ marked: await c.get('deps').notifications.markAllRead(c.get('caller').patronId) }, 200);
  });

  app.openapi(getSettings, async (c) => {
    const deps = c.get('deps');
    const { patronId } = c.get('caller');
    await requirePatron(deps, patronId);
    c.header('Cache-Control', 'no-store');
    return c.json(await settingsView(deps, patronId), 200);
  });

  app.openapi(putPreferences, async (c) => {
    const deps = c.get('deps');
    const { patronId } = c.get('caller');
    await requirePatron(deps, patronId);
    await deps.notifications.setEmailOff(patronId, c.req.valid('json').emailOff);
    return c.json(await settingsView(deps, patronId), 200);
  });

  app.openapi(putEmail, async (c) => {
    const deps = c.get('deps');
    const { patronId } = c.get('caller');
    const { email } = c.req.valid('json');
    await requirePatron(deps, patronId);
    linksOf(deps);
    // The verification mail goes through the outbox and the same transport as every other mail.
    await deps.notifications.setPendingEmail(patronId, email);
    await deps.notifications.queueMail({ patronId, kind: 'verify-email', to: email });
    return c.json(await settingsView(deps, patronId), 202);
  });

  app.openapi(showUnsubscribe, async (c) => {
    const deps = c.get('deps');
    const { token } = c.req.valid('query');
    const claims = await claimsOf(deps, token, 'unsubscribe');
    const kind = KindSchema.safeParse(claims.kind);
    if (!kind.success) throw invalidLink();
    const language = languageOf((await deps.patrons.get(claims.patronId!))?.language);
    const w = pageWords[language];
    return page(
      c,
      language,
      w.unsubscribeTitle!,
      fill(w.unsubscribeAsk!, { kind: kindWords[language][kind.data] }),
      {
        action: `?token=${encodeURIComponent(token)}`,
        button: w.unsubscribeButton!,
      },
    );
  });

  app.openapi(unsubscribe, async (c) => {
    const deps = c.get('deps');
    const claims = await claimsOf(deps, c.req.valid('query').token, 'unsubscribe');
    const kind = KindSchema.safeParse(claims.kind);
    if (!kind.success) throw invalidLink();
    const patron = await deps.patrons.get(claims.patronId!);
    if (!patron) throw invalidLink();
    await deps.notifications.turnEmailOff(patron.id, kind.data);
    const language = languageOf(patron.language);
    const w = pageWords[language];
    return page(
      c,
      language,
      w.unsubscribeTitle!,
      fill(w.unsubscribed!, { kind: kindWords[language][kind.data] }),
    );
  });

  app.openapi(showVerify, async (c) => {
    const deps = c.get('deps');
    const { token } = c.req.valid('query');
    const claims = await claimsOf(deps, token, 'verify');
    const language = languageOf((await deps.patrons.get(claims.patronId!))?.language);
    const w = pageWords[language];
    return page(c, language, w.verifyTitle!, fill(w.verifyAsk!, { email: claims.email ?? '' }), {
      action: `?token=${encodeURIComponent(token)}`,
      button: w.verifyButton!,
    });
  });

  app.openapi(verify, async (c) => {
    const deps = c.get('deps');
    const claims = await claimsOf(deps, c.req.valid('query').token, 'verify');
    if (typeof claims.email !== 'string') throw invalidLink();
    const patron = await deps.patrons.get(claims.patronId!);
    if (!patron) throw invalidLink();
    const settings = await deps.notifications.settings(patron.id);
    const alreadyVerified =
      settings.email === claims.email && settings.emailVerifiedAt && !settings.pendingEmail;
    // A link to an address since replaced by another one is refused: only the latest request counts.
    if (!alreadyVerified && !(await deps.notifications.verifyEmail(patron.id, claims.email)))
      throw invalidLink();
    const language = languageOf(patron.language);
    const w = pageWords[language];
    return page(c, language, w.verifyTitle!, fill(w.verified!, { email: claims.email }));
  });

  app.openapi(addWish, async (c) => {
    const deps = c.get('deps');
    const { patronId } = c.get('caller');
    const { titleId } = c.req.valid('json');
    await requirePatron(deps, patronId);
    const lending = await deps.lending.titleLending(titleId);
    if (!lending) throw lendingErrors.titleNotFound(titleId);
    if (lending.status === 'withdrawn') throw lendingErrors.titleWithdrawn(titleId);
    const now = deps.clock.now();
    if (lending.access !== 'licensed' || lending.licences.some((l) => isUsable(l, now)))
      throw new ConflictError({
        code: 'WISH_NOT_NEEDED',
        detail: 'The library can lend (or open) this title now: borrow it or place a hold.',
        context: { titleId },
      });
    const { wish, created } = await deps.notifications.addWish(patronId, titleId);
    const view = { titleId: wish.titleId, createdAt: wish.createdAt };
    return created ? c.json(view, 201) : c.json(view, 200);
  });

  app.openapi(listWishes, async (c) => {
    const wishes = await c.get('deps').notifications.wishesOf(c.get('caller').patronId);
    c.header('Cache-Control', 'no-store');
    return c.json({ data: wishes.map((w) => ({ titleId: w.titleId, createdAt: w.createdAt })) }, 200);
  });

  app.openapi(removeWish, async (c) => {
    const { titleId } = c.req.valid('param');
    if (!(await c.get('deps').notifications.removeWish(c.get('caller').patronId, titleId)))
      throw new NotFoundError({
        code: 'WISH_NOT_FOUND',
        detail: `No wish for title ${titleId}.`,
        context: { titleId },
      });
    return c.body(null, 204);
  });
}
