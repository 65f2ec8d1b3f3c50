import { describe, expect, it } from 'vitest';
import { readerContentSecurityPolicy } from '../../infra/constructs/reader-site';
import { localContentSecurityPolicy } from '../../functions/local/gateway';

const directives = (policy: string) =>
  Object.fromEntries(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values.filter(Boolean).sort()]),
  );

describe('the local gateway CSP', () => {
  it('is the CloudFront CSP of the reader, with the API on the page origin', () => {
    // Prepare
    const store = 'http://127.0.0.1:4569';
    // Act
    const local = directives(localContentSecurityPolicy(store));
    const cloud = directives(readerContentSecurityPolicy("'self'", store));
    // Assess: same directives, same sources (the API is 'self' locally, so connect-src names it once)
    cloud['connect-src'] = [...new Set(cloud['connect-src'])].sort();
    expect(local).toEqual(cloud);
    expect(local['script-src']).toEqual(["'self'"]);
    expect(local['object-src']).toEqual(["'none'"]);
  });
});
