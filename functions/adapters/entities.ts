import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit';
import type { Collection } from '../domain/collection';
import type { SushiCredential } from '../domain/counter-ports';
import type { Hold } from '../domain/hold';
import type { Licence } from '../domain/licence';
import type { Loan } from '../domain/loan';
import type { Delivery, Notification, NotificationSettings, Wish } from '../domain/notification';
import type { Partner } from '../domain/partner';
import type { Patron } from '../domain/patron';
import type { Milestone, Participation, PatronGroup, Programme } from '../domain/programme';
import type { Bookmark, ReadingProgress } from '../domain/reading';
import type { Title } from '../domain/title';
import type { Upload } from '../domain/upload';
import {
  auditKeys,
  campusHandoffKeys,
  collectionKeys,
  counterKeys,
  dashboardKeys,
  deliveryKeys,
  dueKeys,
  holdKeys,
  holdQueueKeys,
  idempotencyKeys,
  licenceKeys,
  loanKeys,
  notificationKeys,
  partnerKeys,
  patronKeys,
  patronLendingKeys,
  programmeKeys,
  publicationKeys,
  readingKeys,
  sessionKeys,
  sushiCredentialKeys,
  suggestionKeys,
  sweeperKeys,
  titleKeys,
  uploadKeys,
  wishKeys,
  type ItemKey,
} from './keys';
import { indexes, indexNames, tableSchema, type IndexDefinition, type IndexName } from './table-schema';

/**
 * Item kinds of the single table, in the manner of ElectroDB's entities: each says how its key is built
 * (from ./keys.ts), which indexes it is listed in and under which keys, and which attributes a stored item of
 * the kind must carry. `fromItem` checks a stored item against that before the code relies on it, so a
 * malformed item is a clear internal error naming the kind and the attribute, not a wrong value further on.
 */

type AttributeType = 'string' | 'number' | 'boolean' | 'list' | 'map';
/** `string?`: may be absent; `number|null`: present, a number or null. */
type AttributeSpec = AttributeType | `${AttributeType}?` | `${AttributeType}|null`;
/** Every field of the record declared; a field the type makes optional must be declared optional. */
type Attributes<T> = {
  readonly [P in keyof T]-?: undefined extends T[P] ? `${AttributeType}?` : AttributeSpec;
};

export interface IndexKey {
  pk: string;
  sk: string;
}

/** A stored item of a kind did not have the shape its kind declares: a bug or a hand-edited table. */
export class StoredItemError extends Error {
  override name = 'StoredItemError';
  constructor(
    readonly kind: string,
    readonly attribute: string,
    problem: string,
  ) {
    super(`stored ${kind} item: attribute "${attribute}" ${problem}`);
  }
}

/** Every storage attribute (keys, index keys, ttl): what a record is without. */
const storageAttributes: readonly string[] = [
  tableSchema.partitionKey,
  tableSchema.sortKey,
  ...indexNames.flatMap((name) => [indexes[name].partitionKey, indexes[name].sortKey]),
  tableSchema.ttlAttribute,
];

/** The index key attributes of every index: what an item leaves when it drops out of all of them. */
export const indexKeyAttributes: readonly string[] = indexNames.flatMap((name) => [
  indexes[name].partitionKey,
  indexes[name].sortKey,
]);

function typeOf(value: unknown): AttributeType | 'null' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Set) return 'list';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value as AttributeType;
    case 'object':
      return 'map';
    default:
      return 'other';
  }
}

export interface EntityDefinition<T extends object, A extends unknown[]> {
  kind: string;
  /** The item's key from its identifying values (the builder in ./keys.ts). */
  key: (...args: A) => ItemKey;
  /** The item's key from the record itself, for kinds whose record carries what the key is built from. */
  keyOf?: (record: T) => ItemKey;
  attributes: Attributes<T>;
  /** The indexes the item is listed in while it is written whole, and its keys there. */
  indexes?: { readonly [N in IndexName]?: (record: T) => IndexKey | undefined };
}

export class Entity<T extends object, A extends unknown[] = never[]> {
  constructor(readonly definition: EntityDefinition<T, A>) {}

  get kind(): string {
    return this.definition.kind;
  }

  key(...args: A): ItemKey {
    return this.definition.key(...args);
  }

  /** The index key attributes of `record` (e.g. `{ gsi1pk, gsi1sk }`), by the index's own attribute names. */
  indexAttributes(record: T, only?: IndexDefinition[]): Record<string, string> {
    const attributes: Record<string, string> = {};
    for (const name of indexNames) {
      const keyOf = this.definition.indexes?.[name];
      if (!keyOf || (only && !only.includes(indexes[name]))) continue;
      const at = keyOf(record);
      if (!at) continue;
      const { pk, sk } = at;
      attributes[indexes[name].partitionKey] = pk;
      attributes[indexes[name].sortKey] = sk;
    }
    return attributes;
  }

  /** The whole item: key, record, index keys; `extra` carries attributes that are no part of the record (ttl). */
  toItem(record: T, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const keyOf = this.definition.keyOf;
    if (!keyOf) throw new Error(`a ${this.kind} record does not carry its key: build the item from key()`);
    return { ...keyOf(record), ...record, ...extra, ...this.indexAttributes(record) };
  }

  /** The record in a stored item, checked against the declared attributes; storage attributes left out. */
  fromItem(item: Record<string, unknown>): T {
    for (const [attribute, spec] of Object.entries(this.definition.attributes) as [string, AttributeSpec][]) {
      const value = item[attribute];
      const optional = spec.endsWith('?');
      const nullable = spec.endsWith('|null');
      const type = spec.replace(/\?$|\|null$/, '');
      if (value === undefined) {
        if (optional) continue;
        throw new StoredItemError(this.kind, attribute, 'is missing');
      }
      const actual = typeOf(value);
      if (actual === type || (nullable && actual === 'null')) continue;
      throw new StoredItemError(this.kind, attribute, `should be ${spec.replace('?', '')}, is ${actual}`);
    }
    const record: Record<string, unknown> = {};
    for (const [attribute, value] of Object.entries(item)) {
      if (!storageAttributes.includes(attribute)) record[attribute] = value;
    }
    // Checked above against every declared attribute: the one place a stored item becomes a record.
    return record as T;
  }

  fromMaybe(item: Record<string, unknown> | undefined): T | undefined {
    return item ? this.fromItem(item) : undefined;
  }
}

export type SortCondition =
  { '<': string } | { '<=': string } | { between: [string, string] } | { beginsWith: string };

/**
 * A query of one partition of an index, with an optional sort-key condition. Attribute names and values of
 * the key condition get their own placeholders (`#ipk`, `:ipk`, …), so they merge with the caller's filter.
 */
export function indexQuery(
  index: IndexDefinition,
  partition: string,
  options: {
    sort?: SortCondition;
    filter?: string;
    projection?: string;
    names?: Record<string, string>;
    values?: Record<string, unknown>;
    limit?: number;
  } = {},
): Omit<QueryCommandInput, 'TableName'> {
  const names: Record<string, string> = { '#ipk': index.partitionKey, ...options.names };
  const values: Record<string, unknown> = { ':ipk': partition, ...options.values };
  let condition = '#ipk = :ipk';
  const sort = options.sort;
  if (sort) {
    names['#isk'] = index.sortKey;
    if ('<' in sort) {
      condition += ' AND #isk < :isk';
      values[':isk'] = sort['<'];
    } else if ('<=' in sort) {
      condition += ' AND #isk <= :isk';
      values[':isk'] = sort['<='];
    } else if ('between' in sort) {
      condition += ' AND #isk BETWEEN :iskFrom AND :iskTo';
      [values[':iskFrom'], values[':iskTo']] = sort.between;
    } else {
      condition += ' AND begins_with(#isk, :isk)';
      values[':isk'] = sort.beginsWith;
    }
  }
  return {
    IndexName: index.indexName,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(options.filter ? { FilterExpression: options.filter } : {}),
    ...(options.projection ? { ProjectionExpression: options.projection } : {}),
    ...(options.limit !== undefined ? { Limit: options.limit } : {}),
  };
}

// ---- titles and licences ----------------------------------------------------------------------

export const titleEntity = new Entity<Title, [titleId: string]>({
  kind: 'title',
  key: titleKeys.item,
  keyOf: (t) => titleKeys.item(t.id),
  attributes: {
    id: 'string',
    title: 'string',
    sortTitle: 'string',
    authors: 'list',
    language: 'string?',
    publisher: 'string?',
    published: 'string?',
    description: 'string?',
    subjects: 'list',
    identifiers: 'map',
    format: 'string',
    access: 'string',
    status: 'string',
    pageCount: 'number?',
    contentKey: 'string',
    contentType: 'string',
    size: 'number',
    sha256: 'string',
    coverKey: 'string?',
    coverType: 'string?',
    coverWidth: 'number?',
    coverHeight: 'number?',
    coverRenditions: 'list?',
    createdAt: 'string',
    updatedAt: 'string',
    withdrawnAt: 'string?',
    warnings: 'list?',
    contributors: 'list?',
    alternateTitles: 'list?',
    alternateNames: 'list?',
    readingProgression: 'string?',
    spineLength: 'number?',
    sameIsbnAs: 'list?',
  },
  indexes: {
    gsi1: (t) => ({
      pk: t.status === 'withdrawn' ? titleKeys.withdrawnPartition : titleKeys.listPartition,
      sk: titleKeys.listSort(t.sortTitle, t.id),
    }),
  },
});

export const licenceEntity = new Entity<Licence, [titleId: string, licenceId: string]>({
  kind: 'licence',
  key: licenceKeys.item,
  keyOf: (l) => licenceKeys.item(l.titleId, l.id),
  attributes: {
    id: 'string',
    titleId: 'string',
    terms: 'map',
    checkoutsLeft: 'number|null',
    available: 'number|null',
    createdAt: 'string',
    supplierLicenceId: 'string?',
    note: 'string?',
    createdBy: 'string?',
    deactivatedAt: 'string?',
  },
});

export interface SupplierLicenceMarker {
  titleId: string;
  supplierLicenceId: string;
  licenceId: string;
}

/** A supplier's licence id taken on a title (stored: the key and `licenceId`). */
export const supplierLicenceEntity = {
  kind: 'supplier licence',
  key: licenceKeys.supplierId,
  toItem: (m: SupplierLicenceMarker) => ({
    ...licenceKeys.supplierId(m.titleId, m.supplierLicenceId),
    licenceId: m.licenceId,
  }),
};

export interface StoredHoldQueue {
  waiting?: number;
  reserved?: number;
  lastSeq?: number;
  suspended?: number;
}

export const holdQueueEntity = new Entity<StoredHoldQueue, [titleId: string]>({
  kind: 'hold queue',
  key: holdQueueKeys.item,
  attributes: { waiting: 'number?', reserved: 'number?', lastSeq: 'number?', suspended: 'number?' },
});

// ---- loans and holds ---------------------------------------------------------------------------

export const loanEntity = new Entity<Loan, [loanId: string]>({
  kind: 'loan',
  key: loanKeys.item,
  keyOf: (l) => loanKeys.item(l.id),
  attributes: {
    id: 'string',
    patronId: 'string',
    titleId: 'string',
    licenceId: 'string',
    status: 'string',
    days: 'number',
    checkedOutAt: 'string',
    expiresAt: 'string',
    renewals: 'number',
    endedAt: 'string?',
  },
  indexes: {
    /** Due at its end, for the sweeper. */
    gsi1: (l) => ({ pk: dueKeys.partition(l.expiresAt), sk: dueKeys.sort(l.expiresAt, 'LOAN', l.id) }),
    /** The patron's active loans. */
    gsi2: (l) => ({
      pk: loanKeys.patronPartition(l.patronId),
      sk: loanKeys.patronSort(l.checkedOutAt, l.id),
    }),
    /** The title's running loans by their end. */
    gsi3: (l) => ({ pk: loanKeys.titlePartition(l.titleId), sk: loanKeys.titleSort(l.expiresAt, l.id) }),
  },
});

export const holdEntity = new Entity<Hold, [holdId: string]>({
  kind: 'hold',
  key: holdKeys.item,
  keyOf: (h) => holdKeys.item(h.id),
  attributes: {
    id: 'string',
    patronId: 'string',
    titleId: 'string',
    status: 'string',
    seq: 'number',
    placedAt: 'string',
    reservedAt: 'string?',
    reservedUntil: 'string?',
    licenceId: 'string?',
    endedAt: 'string?',
    suspendedUntil: 'string?',
  },
  indexes: {
    /** Waiting: in its title's queue. (Reserved, it moves to the due partition of its deadline: `dueOfHold`.) */
    gsi1: (h) => ({ pk: holdQueueKeys.waitingPartition(h.titleId), sk: holdQueueKeys.waitingSort(h.seq) }),
    /** The patron's live holds. */
    gsi2: (h) => ({ pk: holdKeys.patronPartition(h.patronId), sk: holdKeys.patronSort(h.placedAt, h.id) }),
  },
});

/** What a look along a title's queue reads of each hold in front (a projection of the hold). */
export const queuePlaceEntity = new Entity<Pick<Hold, 'status' | 'suspendedUntil'>>({
  kind: 'hold (place in line)',
  key: holdKeys.item,
  attributes: { status: 'string', suspendedUntil: 'string?' },
});

/** Where a reserved hold sits on gsi1: the due partition of its deadline. */
export const reservedHoldDue = (holdId: string, reservedUntil: string): IndexKey => ({
  pk: dueKeys.partition(reservedUntil),
  sk: dueKeys.sort(reservedUntil, 'HOLD', holdId),
});

export interface SuspensionEnd {
  id: string;
  titleId: string;
  suspendedUntil: string;
}

export const suspensionEndEntity = new Entity<SuspensionEnd, [holdId: string]>({
  kind: 'suspension end',
  key: holdKeys.suspensionEnd,
  keyOf: (s) => holdKeys.suspensionEnd(s.id),
  attributes: { id: 'string', titleId: 'string', suspendedUntil: 'string' },
  indexes: {
    gsi1: (s) => ({
      pk: dueKeys.partition(s.suspendedUntil),
      sk: dueKeys.sort(s.suspendedUntil, 'SUSPENSION', s.id),
    }),
  },
});

/** What the sweeper reads from a due partition: which kind of item fell due, and its id. */
export interface DueEntry {
  sk: string;
  id: string;
}

export const dueEntryEntity = new Entity<DueEntry>({
  kind: 'due entry',
  key: () => {
    throw new StoredItemError('due entry', 'key', 'is not stored: due entries are index entries');
  },
  attributes: { sk: 'string', id: 'string' },
});
/** The fixed sort key of the kinds that have one: how an item of the kind is told from others it sits with. */
export const itemKinds = {
  title: titleKeys.item('').sk,
  patron: patronKeys.item('').sk,
  card: patronKeys.card('').sk,
  loan: loanKeys.item('').sk,
  hold: holdKeys.item('').sk,
  holdQueue: holdQueueKeys.item('').sk,
  suspension: holdKeys.suspensionEnd('').sk,
} as const;

/** The sort key of each kind that falls due: what a due entry's `sk` says it is. */
export const dueKinds = {
  loan: itemKinds.loan,
  hold: itemKinds.hold,
  suspension: itemKinds.suspension,
} as const;

/** `sk` of a due entry is the item's own sort key (`dueKinds`). */
export const dueEntryOf = (item: Record<string, unknown>): DueEntry => {
  dueEntryEntity.fromItem(item);
  return { sk: String(item[tableSchema.sortKey]), id: String(item.id) };
};

export interface WatermarkRecord {
  day?: string;
}

export const sweeperWatermarkEntity = new Entity<WatermarkRecord>({
  kind: 'sweeper watermark',
  key: () => sweeperKeys.watermark,
  keyOf: () => sweeperKeys.watermark,
  attributes: { day: 'string?' },
});

// ---- per-patron lending items ------------------------------------------------------------------

export interface LendingCounters {
  loans?: number;
  holds?: number;
}

export const lendingCountersEntity = new Entity<LendingCounters, [patronId: string]>({
  kind: 'lending counters',
  key: patronLendingKeys.counters,
  attributes: { loans: 'number?', holds: 'number?' },
});

export interface LoanOfTitleMarker {
  patronId: string;
  titleId: string;
  loanId: string;
}

/** Exists while the patron has an active loan of the title (stored: the key and `loanId`). */
export const loanOfTitleEntity = new Entity<{ loanId: string }, [patronId: string, titleId: string]>({
  kind: 'loan-of-title marker',
  key: patronLendingKeys.loanOfTitle,
  attributes: { loanId: 'string' },
});
export const loanOfTitleItem = (m: LoanOfTitleMarker) => ({
  ...patronLendingKeys.loanOfTitle(m.patronId, m.titleId),
  loanId: m.loanId,
});

/** Exists while the patron has a live hold on the title (stored: the key and `holdId`). */
export const holdOfTitleEntity = new Entity<{ holdId: string }, [patronId: string, titleId: string]>({
  kind: 'hold-of-title marker',
  key: patronLendingKeys.holdOfTitle,
  attributes: { holdId: 'string' },
});
export const holdOfTitleItem = (m: { patronId: string; titleId: string; holdId: string }) => ({
  ...patronLendingKeys.holdOfTitle(m.patronId, m.titleId),
  holdId: m.holdId,
});

export interface IdempotencyRecord {
  patronId: string;
  key: string;
  fingerprint: string;
  loanId: string;
}

/** A checkout's outcome under its Idempotency-Key (stored: the key, `fingerprint`, `loanId`, `ttl`). */
export const idempotencyEntity = new Entity<
  Pick<IdempotencyRecord, 'fingerprint' | 'loanId'>,
  [patronId: string, key: string]
>({
  kind: 'idempotency record',
  key: idempotencyKeys.record,
  attributes: { fingerprint: 'string', loanId: 'string' },
});
export const idempotencyItem = (r: IdempotencyRecord, ttl: number) => ({
  ...idempotencyKeys.record(r.patronId, r.key),
  fingerprint: r.fingerprint,
  loanId: r.loanId,
  ttl,
});

// ---- patrons, sessions --------------------------------------------------------------------------

export const patronEntity = new Entity<Patron, [patronId: string]>({
  kind: 'patron',
  key: patronKeys.item,
  keyOf: (p) => patronKeys.item(p.id),
  attributes: {
    id: 'string',
    cardNumber: 'string',
    name: 'string',
    email: 'string?',
    status: 'string',
    roles: 'list',
    // Older records may lack the limits: the defaults apply (functions/domain/patron.ts).
    loanLimit: 'number?',
    holdLimit: 'number?',
    language: 'string?',
    pinHash: 'string',
    createdAt: 'string',
    updatedAt: 'string',
  },
  indexes: { gsi1: (p) => ({ pk: patronKeys.listPartition, sk: patronKeys.listSort(p.name, p.id) }) },
});

export const cardEntity = new Entity<{ patronId: string }, [cardNumber: string]>({
  kind: 'card',
  key: patronKeys.card,
  attributes: { patronId: 'string' },
});
export const cardItem = (patron: Pick<Patron, 'id' | 'cardNumber'>) => ({
  ...patronKeys.card(patron.cardNumber),
  patronId: patron.id,
});

export interface StoredSession {
  patronId: string;
  status: 'active' | 'revoked';
  currentTokenHash: string;
  /** Partner members only: what the partner granted (they have no patron record). */
  partnerId?: string;
  entitlements?: string[];
  /** Epoch ms at which the family ends however often it is rotated (member sessions). */
  endsAt?: number;
}

export const sessionEntity = new Entity<StoredSession, [sessionId: string]>({
  kind: 'session',
  key: sessionKeys.item,
  attributes: {
    patronId: 'string',
    status: 'string',
    currentTokenHash: 'string',
    partnerId: 'string?',
    entitlements: 'list?',
    endsAt: 'number?',
  },
});

export interface StoredRefreshToken {
  sessionId: string;
  patronId: string;
  /** Epoch ms */
  expiresAt: number;
}

export const refreshTokenEntity = new Entity<StoredRefreshToken, [tokenHash: string]>({
  kind: 'refresh token',
  key: sessionKeys.refreshToken,
  attributes: { sessionId: 'string', patronId: 'string', expiresAt: 'number' },
});

// ---- notifications, deliveries, wishes ------------------------------------------------------------

/** An in-app notification as stored: the record and the id of the event it tells. */
export type StoredNotification = Notification & { eventId?: string };

export const notificationEntity = new Entity<StoredNotification, [patronId: string, notificationId: string]>({
  kind: 'notification',
  key: notificationKeys.item,
  keyOf: (n) => notificationKeys.item(n.patronId, n.id),
  attributes: {
    id: 'string',
    patronId: 'string',
    kind: 'string',
    titleId: 'string',
    deadline: 'string?',
    createdAt: 'string',
    readAt: 'string?',
    eventId: 'string?',
  },
});

/** The settings item is written field by field (an update), so any of them may be absent. */
export const notificationSettingsEntity = new Entity<Partial<NotificationSettings>, [patronId: string]>({
  kind: 'notification settings',
  key: notificationKeys.settings,
  attributes: {
    patronId: 'string?',
    email: 'string?',
    emailVerifiedAt: 'string?',
    pendingEmail: 'string?',
    emailOff: 'list?',
    updatedAt: 'string?',
  },
});

/** A delivery as stored: the record and, while a notifier holds it, its lease. */
export type StoredDelivery = Delivery & { leaseId?: string; leaseUntil?: string; messageId?: string };

export const deliveryEntity = new Entity<StoredDelivery, [eventId: string]>({
  kind: 'delivery',
  key: deliveryKeys.item,
  keyOf: (d) => deliveryKeys.item(d.id),
  attributes: {
    id: 'string',
    patronId: 'string',
    kind: 'string',
    titleId: 'string?',
    deadline: 'string?',
    to: 'string?',
    state: 'string',
    attempts: 'number',
    createdAt: 'string',
    nextAttemptAt: 'string',
    sentAt: 'string?',
    failedAt: 'string?',
    reason: 'string?',
    leaseId: 'string?',
    leaseUntil: 'string?',
    messageId: 'string?',
  },
  indexes: {
    /** Still to try, by when it is due (a failed one moves to the failed partition: `failedDelivery`). */
    gsi1: (d) => ({ pk: deliveryKeys.duePartition, sk: deliveryKeys.dueSort(d.nextAttemptAt, d.id) }),
    gsi2: (d) => ({
      pk: deliveryKeys.patronPartition(d.patronId),
      sk: deliveryKeys.patronSort(d.createdAt, d.id),
    }),
  },
});

export const wishEntity = new Entity<Wish, [patronId: string, titleId: string]>({
  kind: 'wish',
  key: wishKeys.item,
  keyOf: (w) => wishKeys.item(w.patronId, w.titleId),
  attributes: { patronId: 'string', titleId: 'string', createdAt: 'string' },
  indexes: {
    gsi1: (w) => ({
      pk: wishKeys.titlePartition(w.titleId),
      sk: wishKeys.titleSort(w.createdAt, w.patronId),
    }),
  },
});

export interface WishCount {
  titleId: string;
  open?: number;
}

export const wishCountEntity = new Entity<WishCount, [titleId: string]>({
  kind: 'wish count',
  key: wishKeys.count,
  keyOf: (c) => wishKeys.count(c.titleId),
  attributes: { titleId: 'string', open: 'number?' },
  indexes: { gsi2: (c) => ({ pk: wishKeys.countsPartition, sk: wishKeys.countsSort(c.titleId) }) },
});

export interface WishersToTell {
  titleId: string;
  /** Tells a newer licence change's marker from the one a teller read. */
  mark: string;
}

export const wishersToTellEntity = new Entity<WishersToTell, [titleId: string]>({
  kind: 'wishers-to-tell marker',
  key: wishKeys.toTell,
  keyOf: (m) => wishKeys.toTell(m.titleId),
  attributes: { titleId: 'string', mark: 'string' },
  indexes: { gsi1: (m) => ({ pk: wishKeys.toTellPartition, sk: wishKeys.toTellSort(m.titleId) }) },
});

// ---- the others ---------------------------------------------------------------------------------

export const uploadEntity = new Entity<Upload, [uploadId: string]>({
  kind: 'upload',
  key: uploadKeys.item,
  keyOf: (u) => uploadKeys.item(u.id),
  attributes: {
    id: 'string',
    mode: 'string',
    state: 'string',
    objectKey: 'string',
    fileName: 'string',
    contentType: 'string',
    size: 'number',
    multipartId: 'string?',
    partSize: 'number?',
    partCount: 'number?',
    createdBy: 'string',
    createdAt: 'string',
    updatedAt: 'string',
    expiresAt: 'string',
    titleId: 'string?',
    rejection: 'string?',
  },
});

export const partnerEntity = new Entity<Partner, [partnerId: string]>({
  kind: 'partner',
  key: partnerKeys.item,
  keyOf: (p) => partnerKeys.item(p.id),
  attributes: {
    id: 'string',
    name: 'string',
    status: 'string',
    issuer: 'string',
    jwksUri: 'string',
    algorithms: 'list',
    audience: 'string',
    maxTokenAgeSeconds: 'number',
    ipRanges: 'list',
    campusEntitlements: 'list',
    entitlementRules: 'list',
    grants: 'list',
    databases: 'list',
    oidc: 'map?',
    createdAt: 'string',
    updatedAt: 'string',
  },
  indexes: { gsi1: (p) => ({ pk: partnerKeys.listPartition, sk: partnerKeys.listSort(p.id) }) },
});

export const auditEntity = new Entity<AuditEntry, [entryId: string]>({
  kind: 'audit entry',
  key: auditKeys.item,
  keyOf: (e) => auditKeys.item(e.id),
  attributes: {
    id: 'string',
    at: 'string',
    actor: 'string',
    action: 'string',
    targetType: 'string?',
    targetId: 'string?',
    outcome: 'string',
    status: 'number',
    code: 'string?',
    details: 'map?',
    requestId: 'string?',
  },
  indexes: {
    gsi1: (e) => ({ pk: auditKeys.listPartition, sk: auditKeys.listSort(e.at, e.id) }),
    gsi2: (e) =>
      e.targetType && e.targetId
        ? { pk: auditKeys.targetPartition(e.targetType, e.targetId), sk: auditKeys.targetSort(e.at, e.id) }
        : undefined,
  },
});

export const readingProgressEntity = new Entity<ReadingProgress, [patronId: string, titleId: string]>({
  kind: 'reading progress',
  key: readingKeys.progress,
  attributes: {
    titleId: 'string',
    locator: 'map',
    modified: 'string',
    device: 'string?',
    deviceId: 'string?',
  },
});

export const bookmarkEntity = new Entity<Bookmark, [patronId: string, titleId: string, bookmarkId: string]>({
  kind: 'bookmark',
  key: readingKeys.bookmark,
  attributes: { id: 'string', titleId: 'string', locator: 'map', label: 'string?', created: 'string' },
});

/** A campus sign-in handed to the app (stored: the key, the member, where to go back to, `ttl`). */
export interface CampusHandoff {
  patronId: string;
  partnerId: string;
  entitlements: string[];
  returnPath: string;
}

export const campusHandoffEntity = new Entity<CampusHandoff, [codeHash: string]>({
  kind: 'campus hand-off',
  key: campusHandoffKeys.code,
  attributes: { patronId: 'string', partnerId: 'string', entitlements: 'list', returnPath: 'string' },
});

// ---- collections, programmes, COUNTER and SUSHI (converted from the adapters' own casts) ----------------

export const collectionEntity = new Entity<Collection, [collectionId: string]>({
  kind: 'collection',
  key: collectionKeys.item,
  keyOf: (c) => collectionKeys.item(c.id),
  attributes: {
    id: 'string',
    name: 'map',
    description: 'map',
    titleIds: 'list',
    cover: 'map?',
    featuredFrom: 'string?',
    featuredUntil: 'string?',
    version: 'number',
    createdAt: 'string',
    updatedAt: 'string',
    createdBy: 'string?',
  },
  indexes: {
    gsi1: (c) => ({ pk: collectionKeys.listPartition, sk: collectionKeys.listSort(c.createdAt, c.id) }),
  },
});

/** Loans of a title started on one day (stored: the key and `count`, which an ADD creates). */
export const loanStartsEntity = new Entity<{ count?: number }, [day: string, titleId: string]>({
  kind: 'loan starts',
  key: collectionKeys.loanStarts,
  attributes: { count: 'number?' },
});

export const programmeEntity = new Entity<Programme, [programmeId: string]>({
  kind: 'programme',
  key: programmeKeys.item,
  keyOf: (p) => programmeKeys.item(p.id),
  attributes: {
    id: 'string',
    name: 'map',
    description: 'map',
    startsAt: 'string',
    endsAt: 'string',
    audience: 'map',
    goal: 'map',
    titleIds: 'list?',
    collectionId: 'string?',
    createdAt: 'string',
  },
  indexes: {
    gsi1: (p) => ({ pk: programmeKeys.listPartition, sk: programmeKeys.listSort(p.startsAt, p.id) }),
  },
});

export const patronGroupEntity = new Entity<PatronGroup, [groupId: string]>({
  kind: 'patron group',
  key: programmeKeys.group,
  keyOf: (g) => programmeKeys.group(g.id),
  attributes: { id: 'string', name: 'string', memberCount: 'number', createdAt: 'string' },
  indexes: {
    gsi1: (g) => ({ pk: programmeKeys.groupsPartition, sk: programmeKeys.groupsSort(g.name, g.id) }),
  },
});

/** A patron in a group (stored: the key and `patronId`). */
export const groupMemberEntity = new Entity<{ patronId: string }, [groupId: string, patronId: string]>({
  kind: 'group member',
  key: programmeKeys.groupMember,
  attributes: { patronId: 'string' },
});
export const groupMemberItem = (groupId: string, patronId: string) => ({
  ...programmeKeys.groupMember(groupId, patronId),
  patronId,
});

/**
 * A participation as stored: written without `finishedTitles` and `badges`, which the first ADD creates as
 * sets (DynamoDB stores no empty set), so they, and `seconds` of older items, may be absent.
 */
export type StoredParticipation = Omit<Participation, 'finishedTitles' | 'badges' | 'seconds'> & {
  finishedTitles?: string[] | Set<string>;
  badges?: Milestone[] | Set<Milestone>;
  seconds?: number;
};

export const participationEntity = new Entity<StoredParticipation, [programmeId: string, patronId: string]>({
  kind: 'participation',
  key: programmeKeys.participant,
  keyOf: (p) => programmeKeys.participant(p.programmeId, p.patronId),
  attributes: {
    programmeId: 'string',
    patronId: 'string',
    displayName: 'string',
    patronName: 'string',
    cardNumber: 'string',
    joinedAt: 'string',
    finishedTitles: 'list?',
    seconds: 'number?',
    badges: 'list?',
    completedAt: 'string?',
  },
});

/** What a joined-programme marker carries: the terms a saved position is counted against. */
export type JoinedTerms = Pick<Programme, 'startsAt' | 'endsAt' | 'goal' | 'titleIds'> & {
  programmeId: string;
};

export const joinedTermsEntity = new Entity<JoinedTerms, [patronId: string, programmeId: string]>({
  kind: 'joined-programme marker',
  key: programmeKeys.joined,
  attributes: { programmeId: 'string', startsAt: 'string', endsAt: 'string', goal: 'map', titleIds: 'list?' },
});
export const joinedTermsItem = (patronId: string, terms: JoinedTerms) => ({
  ...programmeKeys.joined(patronId, terms.programmeId),
  ...terms,
});

/** A patron's last save of a title and what it was credited on `day` (the per-title cap). */
export interface TitleTally {
  lastAt: string;
  day: string;
  daySeconds: number;
}

export const titleTallyEntity = new Entity<TitleTally, [patronId: string, titleId: string]>({
  kind: 'reading tally of a title',
  key: programmeKeys.tallyOfTitle,
  attributes: { lastAt: 'string', day: 'string', daySeconds: 'number' },
});

/** Seconds credited to a patron on one library day (stored with a `ttl`). */
export const dayTallyEntity = new Entity<{ seconds: number }, [patronId: string, day: string]>({
  kind: 'reading tally of a day',
  key: programmeKeys.tallyOfDay,
  attributes: { seconds: 'number' },
});

/** A SUSHI credential as stored: the record and the api_key's SHA-256 (base64). */
export type StoredSushiCredential = SushiCredential & { apiKeyHash: string };

export const sushiCredentialEntity = new Entity<StoredSushiCredential, [requestorId: string]>({
  kind: 'SUSHI credential',
  key: sushiCredentialKeys.item,
  keyOf: (c) => sushiCredentialKeys.item(c.requestorId),
  attributes: {
    customerId: 'string',
    requestorId: 'string',
    label: 'string',
    createdAt: 'string',
    createdBy: 'string',
    apiKeyHash: 'string',
  },
  indexes: {
    gsi1: (c) => ({
      pk: sushiCredentialKeys.listPartition,
      sk: sushiCredentialKeys.listSort(c.createdAt, c.requestorId),
    }),
  },
});

/**
 * Where a COUNTER aggregate sits on gsi1: its institution's months, by month and then its own sort key. The
 * aggregate is written by ADDs (an update), so this is set alongside them rather than through `toItem`.
 */
export const counterMonthsIndex = {
  index: indexes.gsi1,
  keyOf: (institution: string, month: string, sk: string): IndexKey => ({
    pk: counterKeys.monthsPartition(institution),
    sk: counterKeys.monthsSort(month, sk),
  }),
};

/**
 * A title's use on one day for one institution (the dashboard's daily figures), written only by ADDs next to the
 * COUNTER month's: COUNTER-filtered requests and investigations, both denials, loans started. Counts only.
 */
export interface StoredDailyTitleUse {
  day: string;
  titleId: string;
  institution: string;
  requests?: number;
  investigations?: number;
  limitExceeded?: number;
  noLicense?: number;
  loans?: number;
}

export const dailyTitleUseEntity = new Entity<
  StoredDailyTitleUse,
  [day: string, institution: string, titleId: string]
>({
  kind: 'daily title use',
  key: dashboardKeys.day,
  attributes: {
    day: 'string',
    titleId: 'string',
    institution: 'string',
    requests: 'number?',
    investigations: 'number?',
    limitExceeded: 'number?',
    noLicense: 'number?',
    loans: 'number?',
  },
});

// ---- acquisition suggestions ----------------------------------------------------------------------

/** A suggestion as stored: the record and its deduplication keys (never who asked: votes are hashes). */
export interface StoredSuggestion {
  id: string;
  title: string;
  author: string;
  isbn?: string;
  count: number;
  notes: string[];
  createdAt: string;
  lastSuggestedAt: string;
  titleKey: string;
  isbnKey?: string;
}

export const suggestionEntity = new Entity<StoredSuggestion, [suggestionId: string]>({
  kind: 'suggestion',
  key: suggestionKeys.item,
  keyOf: (s) => suggestionKeys.item(s.id),
  attributes: {
    id: 'string',
    title: 'string',
    author: 'string',
    isbn: 'string?',
    count: 'number',
    notes: 'list',
    createdAt: 'string',
    lastSuggestedAt: 'string',
    titleKey: 'string',
    isbnKey: 'string?',
  },
  indexes: {
    gsi1: (s) => ({ pk: suggestionKeys.listPartition, sk: suggestionKeys.listSort(s.createdAt, s.id) }),
  },
});

/** Which suggestion a deduplication key belongs to. */
export interface SuggestionLookup {
  suggestionId: string;
}

export const suggestionLookupEntity = new Entity<SuggestionLookup, [dedupKeyHash: string]>({
  kind: 'suggestion lookup',
  key: suggestionKeys.lookup,
  attributes: { suggestionId: 'string' },
});

/** A patron's vote: no attribute names the patron (the key holds a hash of suggestion and patron). */
export const suggestionVoteEntity = new Entity<{ at: string }, [suggestionId: string, voterHash: string]>({
  kind: 'suggestion vote',
  key: suggestionKeys.vote,
  attributes: { at: 'string' },
});

// ---- publication markers (duplicate detection) ----------------------------------------------------

/** The title a file was published as (by the file's SHA-256), and what it was called then. */
export interface PublishedFileMarker {
  sha256: string;
  titleId: string;
  title: string;
  publishedAt: string;
}

export const publishedFileEntity = new Entity<PublishedFileMarker, [sha256: string]>({
  kind: 'published file',
  key: publicationKeys.file,
  keyOf: (m) => publicationKeys.file(m.sha256),
  attributes: { sha256: 'string', titleId: 'string', title: 'string', publishedAt: 'string' },
});

/** A title carrying an ISBN; stale once the title's ISBNs are edited (readers check the title). */
export interface IsbnMarker {
  isbn: string;
  titleId: string;
}

export const isbnMarkerEntity = new Entity<IsbnMarker, [isbn: string, titleId: string]>({
  kind: 'ISBN of a title',
  key: publicationKeys.isbn,
  keyOf: (m) => publicationKeys.isbn(m.isbn, m.titleId),
  attributes: { isbn: 'string', titleId: 'string' },
});
