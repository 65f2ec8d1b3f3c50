import { describe, expect, it } from 'vitest';
import { problemCodes } from '../../functions/domain/problem-codes';
import { en } from '../../web/src/i18n/en';
import { id } from '../../web/src/i18n/id';

/**
 * The types already hold the big part: every error and problem answer takes its code from the registry
 * (`ProblemCode`), and the Indonesian catalogue must have an `error.<code>` key for each (a missing one fails
 * tsc), which en.ts must then have too. What types cannot see is checked here: that a message is not blank,
 * that the client's own codes have one, and that the Indonesian text is not the English left in place.
 */
describe('problem messages', () => {
  const needed = [...Object.keys(problemCodes), 'NETWORK', 'unknown', 'unexpected'].sort();

  it('has an Indonesian and an English message for every registered code, and for the client’s own', () => {
    expect(Object.keys(problemCodes).length).toBeGreaterThan(60);
    const missing = (messages: Record<string, string>) =>
      needed.filter((code) => !messages[`error.${code}`]?.trim());
    expect({ id: missing(id), en: missing(en) }).toEqual({ id: [], en: [] });
  });

  it('keeps no message for a code the server no longer sends', () => {
    const stale = (messages: Record<string, string>) =>
      Object.keys(messages)
        .filter((key) => key.startsWith('error.'))
        .map((key) => key.slice('error.'.length))
        .filter((code) => !needed.includes(code));
    expect({ id: stale(id), en: stale(en) }).toEqual({ id: [], en: [] });
  });

  it('gives the Indonesian UI messages that are not the English ones', () => {
    const same = Object.keys(id).filter(
      (key) => key.startsWith('error.') && id[key as keyof typeof id] === en[key as keyof typeof en],
    );
    expect(same).toEqual([]);
  });
});
