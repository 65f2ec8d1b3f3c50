import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/config';
import {
  awsRequiredVariables,
  lambdaFunctions,
  requiredOnAws,
  type AwsRequiredVariable,
} from '../../functions/config-variables';
import { productionEnv, productionEnvWithout } from '../helpers/aws-env';

const awsEnv = productionEnv;
const without = productionEnvWithout;

/** The ConfigError loadConfig throws, or a failure when it does not throw one. */
function refusal(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig with MODE=aws', () => {
  it.each(awsRequiredVariables)('refuses to start without %s, naming it (and only it)', (name) => {
    // Prepare
    const env = without(name);
    // Act
    const error = refusal(() => loadConfig(env));
    // Assess
    expect(error.message).toMatch(new RegExp(`\\b${name}\\b`));
    for (const other of awsRequiredVariables.filter((n) => n !== name))
      expect(error.message).not.toMatch(new RegExp(`\\b${other}\\b`));
  });

  const blanks = awsRequiredVariables.flatMap((name) => ['', '  '].map((value) => ({ name, value })));
  it.each(blanks)('counts $name=$value (empty or blank) as missing', ({ name, value }) => {
    // Prepare
    const env = { ...awsEnv, [name]: value };
    // Act
    const error = refusal(() => loadConfig(env));
    // Assess
    expect(error.message).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('names every missing variable at once', () => {
    // Prepare
    const env = { MODE: 'aws', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    // Act
    const error = refusal(() => loadConfig(env));
    // Assess
    for (const name of awsRequiredVariables) expect(error.message).toContain(name);
  });

  it.each(['*', ' * '])('refuses WEB_ORIGIN=%j (no open CORS in production)', (origin) => {
    // Prepare
    const env = { ...awsEnv, WEB_ORIGIN: origin };
    // Act
    const error = refusal(() => loadConfig(env));
    // Assess
    expect(error.message).toContain('WEB_ORIGIN');
  });

  it('starts with every variable set, using exactly what was given', () => {
    // Prepare / Act
    const config = loadConfig(awsEnv);
    // Assess
    const given = Object.fromEntries(awsRequiredVariables.map((name) => [name, awsEnv[name]]));
    expect(config).toMatchObject({ MODE: 'aws', ...given });
  });

  const perFunction = lambdaFunctions.flatMap((fn) =>
    (requiredOnAws[fn] as readonly AwsRequiredVariable[]).map((name) => ({ fn, name })),
  );
  it.each(perFunction)('refuses to start the $fn function without $name', ({ fn, name }) => {
    // Prepare
    const env = without(name);
    // Act
    const error = refusal(() => loadConfig(env, fn));
    // Assess
    expect(error.message).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('starts the sweeper with the table alone, which is all it requires', () => {
    // Prepare
    const env = { MODE: 'aws', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', TABLE_NAME: 'Library' };
    // Act
    const config = loadConfig(env, 'sweeper');
    // Assess
    expect(config.TABLE_NAME).toBe('Library');
    expect(config.CONTENT_BUCKET).toBeUndefined();
    expect(config.WEB_ORIGIN).toBeUndefined();
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });
});

describe('loadConfig with MODE=local', () => {
  it('starts with the local defaults when nothing is set', () => {
    // Prepare / Act
    const config = loadConfig({});
    // Assess
    expect(config).toMatchObject({
      MODE: 'local',
      TABLE_NAME: 'pustaka',
      CONTENT_BUCKET: 'pustaka-content',
      TOKEN_ISSUER: 'https://pustaka.local',
      TOKEN_AUDIENCE: 'pustaka-api',
      WEB_ORIGIN: '*',
    });
    expect(config.SIGNING_KEYS_SECRET_ARN).toBeUndefined();
  });

  it('keeps what is set over the defaults, and treats an empty value as unset', () => {
    // Prepare / Act
    const config = loadConfig({ MODE: 'local', TABLE_NAME: 'mine', WEB_ORIGIN: '', TOKEN_AUDIENCE: 'aud' });
    // Assess
    expect(config).toMatchObject({ TABLE_NAME: 'mine', WEB_ORIGIN: '*', TOKEN_AUDIENCE: 'aud' });
  });

  it.each(['Asia/Jakarta', 'Asia/Makassar', 'UTC', 'Asia/Calcutta'])(
    'takes %s as the library time zone (canonical names and aliases)',
    (zone) => {
      // Prepare / Act
      const config = loadConfig({ MODE: 'local', LIBRARY_TIME_ZONE: zone });
      // Assess
      expect(config.LIBRARY_TIME_ZONE).toBe(zone);
    },
  );

  it('refuses a library time zone that is not an IANA name, naming the variable', () => {
    // Prepare / Act
    const error = refusal(() => loadConfig({ MODE: 'local', LIBRARY_TIME_ZONE: 'Jakarta/Mars' }));
    // Assess
    expect(error.message).toMatch(/LIBRARY_TIME_ZONE: not an IANA time zone/);
  });
});
