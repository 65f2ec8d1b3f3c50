import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config';
import type { Caller } from '../domain/caller';
import type { ContentLinkSigner } from '../domain/content-links';
import type { AuditTargetType } from '../domain/audit';
import type {
  AuditLog,
  Clock,
  DependencyCheck,
  PatronRepository,
  TitleRepository,
  UploadObjectStore,
  UploadRepository,
} from '../domain/ports';

/** Everything the HTTP app needs, built once per process (see functions/handlers/deps.ts) and injected. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  titles: TitleRepository;
  patrons: PatronRepository;
  /** Signs short-lived links to content objects (reads, uploads). */
  links: ContentLinkSigner;
  /** Probed by GET /health. */
  checks: DependencyCheck[];
  /** Librarian uploads: their records and the store's side (incoming/, multipart, publishing to content/). */
  uploads: UploadRepository;
  uploadStore: UploadObjectStore;
  /** The trail of librarian actions. */
  audit: AuditLog;
  /** scrypt, for PINs set by librarians. */
  hashPin(pin: string): Promise<string>;
}

/** What a librarian route tells the audit trail about the action it handles. */
export interface AuditNote {
  action: string;
  targetType?: AuditTargetType;
  targetId?: string;
  details?: Record<string, unknown>;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    deps: AppDeps;
    /** Set by the auth middleware once a token is verified. */
    caller: Caller;
    /** Set by /admin routes; written to the audit trail once the response is known. */
    audit: AuditNote;
  };
}
