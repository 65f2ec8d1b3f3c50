import { describe, expect, it } from 'vitest';
import { readerContentSecurityPolicy } from '../../functions/http/reader-csp';

const directives = (policy: string) =>
  Object.fromEntries(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );

describe("the reader's CSP (CloudFront and the local gateway send the same one)", () => {
  it('runs only our own scripts and lets books come from the content store alone', () => {
    // Act
    const local = directives(readerContentSecurityPolicy('http://127.0.0.1:4569'));
    const cloud = directives(
      readerContentSecurityPolicy('https://b.s3.eu-west-1.amazonaws.com', 'https://api.example.org'),
    );
    // Assess
    for (const policy of [local, cloud]) {
      expect(policy['script-src']).toEqual(["'self'"]);
      expect(policy['object-src']).toEqual(["'none'"]);
      expect(policy['frame-ancestors']).toEqual(["'none'"]);
      expect(JSON.stringify(policy)).not.toContain('unsafe-eval');
      expect(policy['frame-src']).toEqual(["'self'", 'blob:']);
    }
    expect(local['connect-src']).toEqual(["'self'", 'http://127.0.0.1:4569']);
    expect(cloud['connect-src']).toEqual([
      "'self'",
      'https://api.example.org',
      'https://b.s3.eu-west-1.amazonaws.com',
    ]);
    expect(cloud['img-src']).toContain('https://b.s3.eu-west-1.amazonaws.com');
  });
});
