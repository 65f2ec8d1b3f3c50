/**
 * The audit trail: every librarian action, who did it, when, to what, and how it ended (refusals included,
 * e.g. an upload that failed validation).
 */
export type AuditTargetType = 'upload' | 'title' | 'licence' | 'patron' | 'import' | 'collection';

export interface AuditEntry {
  id: string;
  /** ISO time the action finished. */
  at: string;
  /** Patron id of the librarian. */
  actor: string;
  /** What was done, e.g. `title.withdraw`. */
  action: string;
  targetType?: AuditTargetType;
  targetId?: string;
  outcome: 'succeeded' | 'refused';
  /** The HTTP status answered. */
  status: number;
  /** The problem code when refused. */
  code?: string;
  /** A few facts worth keeping (changed fields, counts); never secrets such as PINs. */
  details?: Record<string, unknown>;
  requestId?: string;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  targetType?: AuditTargetType;
  targetId?: string;
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
}

/**
 * Display names for the ids an entry refers to, keyed by id: the librarian who acted (a patron record), the
 * title or patron it was done to, and the title a licence belongs to (`details.titleId`). Looked up when the
 * trail is read, not kept in the entry: a renamed title or patron shows its current name, entries written
 * before names were shown get them too, and recording stays one write. Titles are withdrawn, never deleted,
 * and patron records are not deleted either, so nothing is lost by not copying names; an id whose record is
 * gone (or never existed, e.g. a refused action's id) simply has no name and is shown as the id.
 */
export type AuditNames = Record<string, string>;

export interface AuditNameRefs {
  titleIds: string[];
  patronIds: string[];
}

/** Looks up the names of titles (their title) and patrons (their name); unknown ids are left out. */
export interface AuditNameDirectory {
  names(refs: AuditNameRefs): Promise<{ titles: Record<string, string>; patrons: Record<string, string> }>;
}

export type NamedAuditEntry = AuditEntry & { names?: AuditNames };

/** The title an entry concerns besides its target: licences name theirs in `details.titleId`. */
function detailTitleId(entry: AuditEntry): string | undefined {
  const value = entry.details?.['titleId'];
  return typeof value === 'string' && value ? value : undefined;
}

/** The ids of titles and patrons (librarians included) the entries refer to, each once. */
export function auditNameRefs(entries: readonly AuditEntry[]): AuditNameRefs {
  const titleIds = new Set<string>();
  const patronIds = new Set<string>();
  for (const entry of entries) {
    patronIds.add(entry.actor);
    if (entry.targetId && entry.targetType === 'title') titleIds.add(entry.targetId);
    if (entry.targetId && entry.targetType === 'patron') patronIds.add(entry.targetId);
    const titleId = detailTitleId(entry);
    if (titleId) titleIds.add(titleId);
  }
  return { titleIds: [...titleIds], patronIds: [...patronIds] };
}

/** Each entry with the names found for the ids it refers to (no `names` when none was found). */
export function withAuditNames(
  entries: readonly AuditEntry[],
  found: { titles: Record<string, string>; patrons: Record<string, string> },
): NamedAuditEntry[] {
  const titles = new Map(Object.entries(found.titles));
  const patrons = new Map(Object.entries(found.patrons));
  return entries.map((entry) => {
    const names: AuditNames = {};
    const add = (id: string | undefined, from: Map<string, string>) => {
      const name = id === undefined ? undefined : from.get(id);
      if (id !== undefined && name !== undefined) names[id] = name;
    };
    add(entry.actor, patrons);
    if (entry.targetType === 'title') add(entry.targetId, titles);
    if (entry.targetType === 'patron') add(entry.targetId, patrons);
    add(detailTitleId(entry), titles);
    return Object.keys(names).length ? { ...entry, names } : { ...entry };
  });
}
