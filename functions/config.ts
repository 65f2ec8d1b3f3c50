import { en } from 'zod/locales';
import * as z from 'zod/mini';
import {
  awsRequiredVariables,
  requiredOnAws,
  type AwsRequiredVariable,
  type LambdaFunctionName,
  type RequiredVariableOf,
  type StackVariable,
} from './config-variables';
import { checkIpRange } from './domain/partner';

/**
 * zod/mini (the functional API, so the bundles carry only what they use) loads no locale: without English every
 * message below would read "Invalid input". Classic zod sets the same English locale when it is first used.
 * (Only `z.config` and `en` at run time: reading `z.core.…` at run time would bundle all of zod's core, every
 * locale included.)
 */
z.config(en());

/**
 * An IANA time zone name. The canonical names are looked up (a few ms); only another name (an alias such as
 * Asia/Calcutta) pays for building a DateTimeFormat, which loads locale data (some 20 ms of a cold start).
 */
function isTimeZone(zone: string): boolean {
  if (Intl.supportedValuesOf('timeZone').includes(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** z.preprocess, which zod/mini lacks; classic zod builds it as this same pipe. */
const preprocess = <T extends z.core.$ZodType>(fn: (v: unknown) => unknown, schema: T) =>
  z.pipe(z.transform(fn), schema);
/** An integer in [min, max], coerced from the variable's string. */
const integer = (min: number, max: number) => z.coerce.number().check(z.int(), z.gte(min), z.lte(max));

/**
 * The environment, read and validated once. Local mode (`npm start`, tests) gets defaults that point at the
 * embedded DynamoDB Local and S3 emulator; on AWS the CDK stack sets every variable and no endpoint, and the
 * process refuses to start without one of those in functions/config-variables.ts (no local default on AWS).
 */
const optionalUrl = preprocess((v) => (v === '' ? undefined : v), z.optional(z.string().check(z.url())));
/** Set, or missing: an empty or blank variable counts as missing. */
const optionalName = preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.optional(z.string()),
);

/** Local mode only: on AWS each of these must be set (see awsRequiredVariables). */
const localDefaults = {
  TABLE_NAME: 'pustaka',
  CONTENT_BUCKET: 'pustaka-content',
  TOKEN_ISSUER: 'https://pustaka.local',
  TOKEN_AUDIENCE: 'pustaka-api',
  /** The reader is served by the same local gateway; any origin may call the local API. */
  WEB_ORIGIN: '*',
} as const satisfies Partial<Record<AwsRequiredVariable, string>>;
/** PUBLIC_API_URL's local default follows PORT (see withLocalDefaults). */
type LocallyDefaulted = keyof typeof localDefaults | 'PUBLIC_API_URL';

const schema = z.object({
  MODE: z._default(z.enum(['local', 'aws']), 'local'),
  PORT: z._default(integer(0, 65535), 8787),
  DATA_DIR: z._default(z.string().check(z.minLength(1)), '.data'),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  TABLE_NAME: optionalName,
  CONTENT_BUCKET: optionalName,
  DYNAMODB_ENDPOINT: optionalUrl,
  S3_ENDPOINT: optionalUrl,
  /** Default lifetime of a signed content link, seconds (never past the loan's end). */
  LINK_TTL_SECONDS: z._default(integer(1, 3600), 300),
  /** Local mode: how often the embedded sweeper runs (on AWS a schedule runs functions/handlers/sweeper.ts). */
  SWEEP_INTERVAL_SECONDS: z._default(integer(1, 3600), 60),
  TOKEN_ISSUER: optionalName,
  TOKEN_AUDIENCE: optionalName,
  /** On AWS: the Secrets Manager secret that holds the signing keys. Locally the keys live in DATA_DIR. */
  SIGNING_KEYS_SECRET_ARN: optionalName,
  /** The reader's origin, for CORS (never `*` on AWS). */
  WEB_ORIGIN: optionalName,
  /**
   * The API's public base URL (scheme, host, optional path; no trailing slash): absolute links the gateway hands
   * out (the OPDS Authentication Document's `id` and links; campus sign-in's one exact redirect URI,
   * `/auth/oidc/callback`, registered with each university) are built from it, never from the request's Host.
   * Locally it defaults to http://localhost:PORT.
   */
  PUBLIC_API_URL: preprocess(
    (v) => (v === '' ? undefined : v),
    z.optional(
      z.pipe(
        z.string().check(
          z.url(),
          z.refine(
            (v) => /^https?:\/\//.test(v) && !/[?#]/.test(v),
            'an http(s) URL without query or fragment',
          ),
        ),
        z.transform((v: string) => v.replace(/\/+$/, '')),
      ),
    ),
  ),
  /** On Lambda the function's role credentials arrive in the environment; the presigner signs with them. */
  AWS_ACCESS_KEY_ID: z.optional(z.string()),
  AWS_SECRET_ACCESS_KEY: z.optional(z.string()),
  AWS_SESSION_TOKEN: z.optional(z.string()),
  /**
   * On AWS: the Secrets Manager secret holding the HMAC secret of partner members' pseudonymous ids (only the
   * patron API gets it; without it `/auth/federated` answers 503). Locally the secret lives in DATA_DIR.
   * Never rotate it: every member's id would change.
   */
  PSEUDONYM_SECRET_ARN: preprocess((v) => (v === '' ? undefined : v), z.optional(z.string())),
  /** On AWS: the name prefix of the partners' OIDC client secrets in Secrets Manager. Locally: DATA_DIR. */
  PARTNER_SECRETS_PREFIX: optionalName,
  /** Partner key sets: fetch timeout, refetch cooldown for unknown key ids, and cache age (ms). */
  JWKS_TIMEOUT_MS: z._default(integer(100, 10_000), 1_500),
  JWKS_COOLDOWN_MS: z._default(integer(0, 600_000), 30_000),
  JWKS_CACHE_MAX_AGE_MS: z._default(integer(1_000, 86_400_000), 600_000),
  /**
   * CIDR ranges of proxies in front of the gateway whose X-Forwarded-For is believed (comma-separated). Empty
   * (the default) means the client address is the network peer, and X-Forwarded-For is ignored.
   */
  TRUSTED_PROXY_CIDRS: z.pipe(
    z._default(z.string(), ''),
    z.transform((v: string) =>
      v
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  ),
  /**
   * Sign-in attempts (`POST /auth/login`) allowed per client address (IPv4, or IPv6 /64) per window; beyond that
   * `429 RATE_LIMITED`. API Gateway's throttling is per route, not per client. Mind shared addresses (a
   * library's public computers behind one NAT) when lowering it.
   */
  LOGIN_ATTEMPTS_PER_ADDRESS: z._default(integer(1, 1_000_000), 100),
  LOGIN_ADDRESS_WINDOW_SECONDS: z._default(integer(1, 86_400), 900),
  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
  /** The library's time zone: deadlines in mails are shown in it (an IANA name). */
  LIBRARY_TIME_ZONE: z
    ._default(z.string(), 'Asia/Jakarta')
    .check(z.refine(isTimeZone, 'not an IANA time zone')),
  /** The sender of the library's mail; on AWS an address of the SES identity the stack verifies. */
  MAIL_FROM: z._default(
    z.string().check(z.minLength(3)),
    'Perpustakaan Kota Nusantara <perpustakaan@pustaka.local>',
  ),
  /** On AWS: the SES configuration set every mail is sent with (bounces, complaints, sending metrics). */
  SES_CONFIGURATION_SET: optionalName,
  /** Local mode: how often the embedded notifier sends what is due. */
  NOTIFY_INTERVAL_SECONDS: z._default(integer(1, 3600), 10),
  /**
   * Every call to DynamoDB, S3 and Secrets Manager: connection timeout, request timeout per attempt (both
   * throw) and attempts per call (ms, ms, count); see functions/adapters/dependency-timeouts.ts.
   */
  DEPENDENCY_CONNECT_TIMEOUT_MS: z._default(integer(100, 10_000), 1_000),
  DEPENDENCY_REQUEST_TIMEOUT_MS: z._default(integer(100, 25_000), 2_000),
  DEPENDENCY_MAX_ATTEMPTS: z._default(integer(1, 5), 2),
  /**
   * Total time an API request may take before it answers 503 (ms): patron routes, and /admin (uploads and
   * publishing take longer). Either is cut further to what the Lambda invocation has left.
   */
  REQUEST_DEADLINE_MS: z._default(integer(500, 28_000), 4_000),
  ADMIN_REQUEST_DEADLINE_MS: z._default(integer(500, 28_000), 25_000),
});

type ParsedConfig = z.infer<typeof schema>;

/** Every variable the stack may set is one this schema reads. */
const _stackVariablesAreRead: Record<StackVariable, z.core.$ZodType> = schema.shape;

/**
 * The configuration one function is guaranteed: locally every default, on AWS every variable it requires.
 * (SIGNING_KEYS_SECRET_ARN stays optional in the type: local mode keeps the keys in DATA_DIR.)
 */
export type ConfigFor<F extends LambdaFunctionName> = ParsedConfig &
  Record<Extract<RequiredVariableOf<F>, LocallyDefaulted>, string>;

/** The configuration of the APIs and the local gateway (everything). */
export type Config = ParsedConfig & Record<LocallyDefaulted, string>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the environment for one function (on AWS it must have that function's required variables; without a
 * function, all of them), or throws a ConfigError naming what is wrong: a handler calls this at module load,
 * so a Lambda function with a missing variable fails its init instead of running on a guess.
 */
export function loadConfig(env?: Record<string, string | undefined>): Config;
export function loadConfig<F extends LambdaFunctionName>(
  env: Record<string, string | undefined>,
  fn: F,
): ConfigFor<F>;
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  fn?: LambdaFunctionName,
): ParsedConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const config = parsed.data.MODE === 'local' ? withLocalDefaults(parsed.data) : parsed.data;
  if (config.MODE === 'aws') {
    const required: readonly AwsRequiredVariable[] = fn ? requiredOnAws[fn] : awsRequiredVariables;
    const missing = required.filter((name) => config[name] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(
        `Invalid configuration: MODE=aws needs ${missing.join(', ')} (no local default on AWS)`,
      );
    }
    if (config.WEB_ORIGIN?.trim() === '*') {
      throw new ConfigError(
        'Invalid configuration: WEB_ORIGIN: `*` is refused with MODE=aws; set the reader origin',
      );
    }
  }
  if (config.MODE === 'aws' && (config.DYNAMODB_ENDPOINT || config.S3_ENDPOINT)) {
    throw new ConfigError('Invalid configuration: endpoints are for local mode only');
  }
  if (config.MODE === 'aws' && (!config.AWS_ACCESS_KEY_ID || !config.AWS_SECRET_ACCESS_KEY)) {
    throw new ConfigError('Invalid configuration: AWS credentials are missing from the environment');
  }
  for (const range of config.TRUSTED_PROXY_CIDRS) {
    try {
      checkIpRange(range);
    } catch {
      throw new ConfigError(
        `Invalid configuration: TRUSTED_PROXY_CIDRS: ${range} is not a usable CIDR range`,
      );
    }
  }
  return config;
}

/** Local mode: the defaults for what the environment leaves unset. */
function withLocalDefaults(parsed: ParsedConfig): Config {
  const filled = { ...parsed };
  for (const [name, value] of Object.entries(localDefaults) as [keyof typeof localDefaults, string][]) {
    filled[name] ??= value;
  }
  filled.PUBLIC_API_URL ??= `http://localhost:${parsed.PORT}`;
  return filled as Config;
}
