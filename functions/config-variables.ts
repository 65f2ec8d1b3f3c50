/**
 * The names of the configuration variables the CDK stack sets on the Lambda functions, and which of them each
 * function must be given, in one place: functions/config.ts refuses to start on AWS without them and
 * infra/ types each function's environment with them, so the two cannot drift apart. Constants and types only:
 * infra/ imports this module and must not pull in the functions' runtime dependencies.
 */

/** The Lambda functions that read functions/config.ts (each named after its construct in infra/). */
export const lambdaFunctions = ['patronApi', 'partnerApi', 'librarianApi', 'sweeper'] as const;
export type LambdaFunctionName = (typeof lambdaFunctions)[number];

/**
 * Required with MODE=aws: no default there, because a local default would quietly point production at the
 * wrong table, sign tokens for the wrong issuer or open CORS to every origin.
 */
export const awsRequiredVariables = [
  'TABLE_NAME',
  'CONTENT_BUCKET',
  'SIGNING_KEYS_SECRET_ARN',
  'TOKEN_ISSUER',
  'TOKEN_AUDIENCE',
  'WEB_ORIGIN',
  'PUBLIC_API_URL',
] as const;
export type AwsRequiredVariable = (typeof awsRequiredVariables)[number];

/**
 * What each function needs. The three APIs serve the reader (CORS), verify tokens (signing keys, issuer,
 * audience), read the table and sign or publish content links (the partner API builds the same shell and
 * deps, and signs partner members in with the same issuer and keys). The sweeper only ends loans and holds in
 * the table: it builds no token service, no CORS and no link signer, so it is given the table and nothing else.
 */
export const requiredOnAws = {
  patronApi: awsRequiredVariables,
  partnerApi: awsRequiredVariables,
  librarianApi: awsRequiredVariables,
  sweeper: ['TABLE_NAME'],
} as const satisfies Record<LambdaFunctionName, readonly AwsRequiredVariable[]>;

export type RequiredVariableOf<F extends LambdaFunctionName> = (typeof requiredOnAws)[F][number];

/** Every variable the stack may set; functions/config.ts reads each of them. */
export const stackVariables = [
  'MODE',
  ...awsRequiredVariables,
  'LINK_TTL_SECONDS',
  'PSEUDONYM_SECRET_ARN',
  'PARTNER_SECRETS_PREFIX',
  'LOG_LEVEL',
  // Notifications (the sweeper sends the library's mail; see functions/application/notify.ts).
  'LIBRARY_TIME_ZONE',
  'MAIL_FROM',
  'SES_CONFIGURATION_SET',
] as const;
export type StackVariable = (typeof stackVariables)[number];

/**
 * The environment a function is given by the stack: every variable it requires, and optionally others the
 * config reads. (MODE is added for every function by infra/constructs/library-function.ts.)
 */
export type FunctionEnvironment<F extends LambdaFunctionName> = Record<RequiredVariableOf<F>, string> &
  Partial<Record<Exclude<StackVariable, 'MODE'>, string>>;
