import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config';
import type { Caller } from '../domain/caller';
import type { ContentLinkSigner } from '../domain/content-links';
import type { AssertionVerifier, GatewaySessionIssuer, Pseudonyms, ReplayGuard } from '../domain/federation';
import type {
  Clock,
  DependencyCheck,
  PartnerRepository,
  PatronRepository,
  TitleRepository,
  UsageRecorder,
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
  /** Federation: academic partners, their member tokens, replay guard, pseudonyms, gateway sessions. */
  partners: PartnerRepository;
  assertions: AssertionVerifier;
  replays: ReplayGuard;
  /** Undefined on AWS until PSEUDONYM_SECRET is set (federated sign-in then answers 503). */
  pseudonyms: Pseudonyms | undefined;
  /** Issues the gateway's tokens to partner members (identity's token service). */
  memberSessions: GatewaySessionIssuer;
  /** COUNTER-style usage events (denials, database redirects). */
  usage: UsageRecorder;
  /** Probed by GET /health. */
  checks: DependencyCheck[];
}

export interface AppEnv {
  Variables: {
    requestId: string;
    deps: AppDeps;
    /** Set by the auth middleware once a token is verified. */
    caller: Caller;
  };
}
