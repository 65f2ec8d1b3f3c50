import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config';
import type { Caller } from '../domain/caller';
import type { ContentLinkSigner } from '../domain/content-links';
import type {
  CampusFlowSealer,
  CampusHandoffs,
  CampusProvider,
  PartnerSecretStore,
} from '../domain/campus-sign-in';
import type { AssertionVerifier, Pseudonyms, ReplayGuard } from '../domain/federation';
import type { LendingRepository, UsageRecorder } from '../domain/lending-ports';
import type { ReadingSlots } from '../domain/partner-access';
import type { AuditNameDirectory, AuditTargetType } from '../domain/audit';
import type { inspectPublication } from '../domain/publication';
import type { GroupSource } from '../domain/catalogue-feeds';
import type { CoverRenderer } from '../domain/covers';
import type { CollectionRepository } from '../domain/collection';
import type { LoanStartCounter } from '../domain/catalogue-order';
import type {
  AuditLog,
  CatalogueSearch,
  Clock,
  DatabaseUsageRecorder,
  DependencyCheck,
  PartnerRepository,
  PatronRepository,
  ReadingRepository,
  TitleRepository,
  UploadObjectStore,
  UploadRepository,
} from '../domain/ports';
import type {
  AddressAttemptLimiter,
  LoginAttemptRepository,
  PinVerifier,
  SessionRepository,
} from '../domain/sign-in';
import type { TokenService } from '../domain/tokens';
import type { MailLinkSigner } from '../domain/notification';
import type { NotificationRepository } from '../domain/notification-ports';
import type { ProgrammeCollections, ProgrammeRepository } from '../domain/programme';
import type { CounterStore, DailyUsageReader, SushiCredentialStore } from '../domain/counter-ports';
import type { SuggestionStore } from '../domain/acquisitions';
import type { ContentPipelineDeps } from '../domain/content-pipeline';
import type { IdSource } from '../domain/ids';
import type { TitleListReader } from '../domain/title-list';

/** Everything the HTTP app needs, built once per process (see functions/handlers/api-composition.ts) and injected. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  titles: TitleRepository;
  patrons: PatronRepository;
  /** Signs short-lived links to content objects (reads, uploads). */
  links: ContentLinkSigner;
  /** The in-memory catalogue index behind GET /titles?q=… */
  catalogue: CatalogueSearch;
  /** Rebuilds the stored catalogue index snapshot when the catalogue moved past it (the sweeper calls it). */
  catalogueSnapshot?: () => Promise<unknown>;
  /** Groups of the OPDS root feed beyond "new titles" (the library's collections, once they exist). */
  collectionGroups?: GroupSource;
  /** Reading positions and bookmarks. */
  reading: ReadingRepository;
  /** Academic partners: their issuers and key sets, entitlements, campus ranges and OIDC settings. */
  partners: PartnerRepository;
  /**
   * Partner members' sign-in (POST /auth/federated, and campus sign-in's callback): built by the partner API's
   * composition (functions/handlers/partner-composition.ts) only, so no other bundle carries it; undefined
   * elsewhere and where PSEUDONYM_SECRET_ARN is not set on AWS (partner sign-in then answers 503).
   */
  federation: FederatedSignIn | undefined;
  /**
   * Campus sign-in (OpenID Connect), the partner API's too; undefined elsewhere and where it is not configured
   * (it then answers 503).
   */
  campus: CampusSignIn | undefined;
  /** Partners' OIDC client secrets; undefined where no store is configured (setting one answers 503). */
  partnerSecrets: PartnerSecretStore | undefined;
  /** Reading slots of concurrency-limited partner titles. */
  readingSlots: ReadingSlots;
  /** Counts uses of partner databases through /go. */
  databaseUsage: DatabaseUsageRecorder;
  /** Licences, loans, holds and the sweeper (functions/adapters/lending/). */
  lending: LendingRepository;
  /** Usage statistics: issued links and turnaways. */
  usage: UsageRecorder;
  /** COUNTER R5.1 aggregates (searches, databases; reports) and the SUSHI harvesters' credentials. */
  counter: CounterStore;
  /** The dashboard's daily figures per title and institution. */
  dailyUsage: DailyUsageReader;
  sushiCredentials: SushiCredentialStore;
  /** Issues and verifies the gateway's access tokens; publishes the JWKS. */
  tokens: TokenService;
  /** Refresh-token families (sign-in sessions). */
  sessions: SessionRepository;
  /** Failed sign-ins per card and the lock they lead to. */
  loginAttempts: LoginAttemptRepository;
  /** Sign-in attempts per client address (LOGIN_ATTEMPTS_PER_ADDRESS). */
  loginAddresses: AddressAttemptLimiter;
  pins: PinVerifier;
  /** Probed by GET /health. */
  checks: DependencyCheck[];
  /** Librarian uploads: their records and the store's side (incoming/, multipart, publishing to content/). */
  uploads: UploadRepository;
  /**
   * The librarian surface only (and local mode): the S3 side of uploads and the publication inspector.
   * Optional so that the patron API's bundle carries neither the S3 client nor pdf.js.
   */
  publishing?: Publishing;
  /** The trail of librarian actions. */
  audit: AuditLog;
  /** Names of the titles and patrons audit entries refer to, looked up when the trail is read. */
  auditNames: AuditNameDirectory;
  /** In-app notifications, e-mail deliveries and settings, wishes (functions/adapters/notification-repository.ts). */
  notifications: NotificationRepository;
  /** Signs the unsubscribe and verification links in mails; undefined where no server secret is configured. */
  mailLinks: MailLinkSigner | undefined;
  /** Reading programmes, patron groups, and the reading tallies that count towards them. */
  programmes: ProgrammeRepository;
  /** Resolves a programme's collection to its titles; unset until collections are wired in (then 400). */
  programmeCollections?: ProgrammeCollections;
  /** scrypt, for PINs set by librarians. */
  hashPin(pin: string): Promise<string>;
  /** Curated collections (functions/domain/collection.ts). */
  collections: CollectionRepository;
  /** Loans started per title and day, for the "most borrowed" sort. */
  loanStarts: LoanStartCounter;
  /** Patrons' acquisition suggestions (functions/adapters/acquisition-store.ts). */
  suggestions: SuggestionStore;
  /** New ids for the domain's records (random UUIDs; tests may count them). */
  ids: IdSource;
  /** Keys of objects in the content bucket (built in functions/adapters/keys.ts). */
  objectKeys: ContentObjectKeys;
  /** The librarians' list of every title, with licence summaries (GET /admin/titles). */
  titleList: TitleListReader;
  /** The OpenAPI document as built by `npm run contract`, served as it is at GET /openapi.json. */
  contractDocument(): Promise<string>;
  /** What the reader tells a patron for each problem code (problem-messages.json), for the problem pages. */
  problemMessages(): Promise<Partial<Record<string, { id?: string; en?: string }>>>;
}

/** Where publishing puts content, covers and uploads, and where a collection's uploaded cover goes. */
export type ContentObjectKeys = ContentPipelineDeps['keys'] & {
  /** A new key per upload, so a cached link never shows the previous image. */
  collectionCover(collectionId: string, token: string, extension: string): string;
};

/** What signing a partner's member in needs: their assertion checked, used once, and their pseudonymous id. */
export interface FederatedSignIn {
  assertions: AssertionVerifier;
  replays: ReplayGuard;
  pseudonyms: Pseudonyms;
}

export interface CampusSignIn {
  provider: CampusProvider;
  flows: CampusFlowSealer;
  handoffs: CampusHandoffs;
  /** The exact redirect URI: `<PUBLIC_API_URL>/auth/oidc/callback`. */
  redirectUri: string;
  /** Where the app is (the callback sends the browser there with the one-time code in the fragment). */
  appUrl: string;
}

export interface Publishing {
  store: UploadObjectStore;
  inspect: typeof inspectPublication;
  /** Cover display sizes (sharp); absent where the function does not carry it. */
  renderCover?: CoverRenderer;
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
