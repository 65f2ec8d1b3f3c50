/**
 * A complete production environment, as the stack and Lambda give a function: every variable any function
 * requires on AWS (the values are never reached while a function starts) and the role's credentials.
 */
export const productionEnv: Readonly<Record<string, string>> = {
  MODE: 'aws',
  AWS_REGION: 'ap-southeast-3',
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  TABLE_NAME: 'Library-Table-1',
  CONTENT_BUCKET: 'library-content-1',
  SIGNING_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:keys',
  TOKEN_ISSUER: 'https://api.library.example',
  TOKEN_AUDIENCE: 'library-api',
  WEB_ORIGIN: 'https://reader.library.example',
  PUBLIC_API_URL: 'https://api.library.example',
};

/** The environment without one variable. */
export const productionEnvWithout = (name: string, env: Readonly<Record<string, string>> = productionEnv) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));
