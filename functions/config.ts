import { z } from 'zod';
import { checkIpRange } from './domain/partner';

/**
 * The environment, read and validated once. Local mode (`npm start`, tests) gets defaults that point at the
 * embedded DynamoDB Local and S3 emulator; on AWS the CDK stack sets every variable and no endpoint.
 */
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional());

const schema = z.object({
  MODE: z.enum(['local', 'aws']).default('local'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  DATA_DIR: z.string().min(1).default('.data'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  TABLE_NAME: z.string().min(1).default('pustaka'),
  CONTENT_BUCKET: z.string().min(1).default('pustaka-content'),
  DYNAMODB_ENDPOINT: optionalUrl,
  S3_ENDPOINT: optionalUrl,
  /** Default lifetime of a signed content link, seconds (never past the loan's end). */
  LINK_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** Local mode: how often the embedded sweeper runs (on AWS a schedule runs functions/handlers/sweeper.ts). */
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  TOKEN_ISSUER: z.string().min(1).default('https://pustaka.local'),
  TOKEN_AUDIENCE: z.string().min(1).default('pustaka-api'),
  /** On AWS: the Secrets Manager secret that holds the signing keys. Locally the keys live in DATA_DIR. */
  SIGNING_KEYS_SECRET_ARN: z.string().optional(),
  /** The reader's origin, for CORS. */
  WEB_ORIGIN: z.string().default('*'),
  /** On Lambda the function's role credentials arrive in the environment; the presigner signs with them. */
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_SESSION_TOKEN: z.string().optional(),
  /**
   * On AWS: the Secrets Manager secret holding the HMAC secret of partner members' pseudonymous ids (only the
   * patron API gets it; without it `/auth/federated` answers 503). Locally the secret lives in DATA_DIR.
   * Never rotate it: every member's id would change.
   */
  PSEUDONYM_SECRET_ARN: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /** Partner key sets: fetch timeout, refetch cooldown for unknown key ids, and cache age (ms). */
  JWKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(1_500),
  JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  JWKS_CACHE_MAX_AGE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(600_000),
  /**
   * CIDR ranges of proxies in front of the gateway whose X-Forwarded-For is believed (comma-separated). Empty
   * (the default) means the client address is the network peer, and X-Forwarded-For is ignored.
   */
  TRUSTED_PROXY_CIDRS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  /**
   * Sign-in attempts (`POST /auth/login`) allowed per client address (IPv4, or IPv6 /64) per window; beyond that
   * `429 RATE_LIMITED`. API Gateway's throttling is per route, not per client. Mind shared addresses (a
   * library's public computers behind one NAT) when lowering it.
   */
  LOGIN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(100),
  LOGIN_ADDRESS_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const config = parsed.data;
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
