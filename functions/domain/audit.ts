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
