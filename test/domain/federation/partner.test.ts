import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/domain/errors';
import { buildPartner, checkIpRange, type PartnerInput } from '../../../functions/domain/partner';

const now = new Date('2026-03-01T08:00:00Z');
const aws = { allowLoopbackHttpJwks: false };
const local = { allowLoopbackHttpJwks: true };

function input(overrides: Partial<PartnerInput> = {}): PartnerInput {
  return {
    id: 'unhas',
    name: 'Universitas Hasanuddin',
    issuer: 'https://idp.partner.edu',
    jwksUri: 'https://idp.partner.edu/jwks.json',
    algorithms: ['ES256'],
    audience: 'https://pustaka.example/federation',
    ipRanges: ['192.0.2.0/24', '2001:db8:10::/48'],
    entitlementRules: [
      {
        kind: 'values',
        claim: 'eduperson_entitlement',
        values: ['urn:mace:dir:entitlement:common-lib-terms'],
        entitlement: 'library',
      },
    ],
    grants: [{ entitlement: 'library', collections: ['Science'], titles: [] }],
    databases: [{ name: 'Journals', domain: 'lic.com', startUrl: 'https://www.lic.com/' }],
    ...overrides,
  };
}

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('saving a partner', () => {
  it('keeps a valid partner and fills in the defaults', () => {
    // Act
    const partner = buildPartner(input(), aws, now);
    // Assess
    expect(partner).toMatchObject({
      status: 'active',
      maxTokenAgeSeconds: 300,
      campusEntitlements: ['library'],
      ipRanges: ['192.0.2.0/24', '2001:db8:10::/48'],
      createdAt: now.toISOString(),
    });
    expect(partner.entitlementRules[0]).toMatchObject({ shape: 'array' });
  });

  it.each(['0.0.0.0/0', '::/0', '10.0.0.0/0'])('refuses the /0 range %s', (range) => {
    const error = refusal(() => buildPartner(input({ ipRanges: [range] }), aws, now));
    expect(error.message).toContain('/0');
  });

  it.each([
    '192.0.2.1/24',
    'not-a-range',
    '192.0.2.0',
    '::ffff:192.0.2.0/120',
    '300.0.0.0/8',
    '0.0.0.0/1',
    '64.0.0.0/2',
    '2000::/3',
    '::/1',
  ])('refuses the range %s', (range) => {
    refusal(() => checkIpRange(range));
  });

  it.each(['HS256', 'none', 'HS512', 'whatever'])('refuses the algorithm %s', (alg) => {
    refusal(() => buildPartner(input({ algorithms: [alg as 'ES256'] }), aws, now));
  });

  it('refuses an http JWKS on AWS, even on loopback', () => {
    refusal(() => buildPartner(input({ jwksUri: 'http://127.0.0.1:9999/jwks.json' }), aws, now));
    refusal(() => buildPartner(input({ jwksUri: 'http://idp.partner.edu/jwks.json' }), aws, now));
  });

  it('allows an http JWKS on 127.0.0.1 or localhost in local mode only, never on another host', () => {
    expect(buildPartner(input({ jwksUri: 'http://127.0.0.1:9999/jwks.json' }), local, now).jwksUri).toBe(
      'http://127.0.0.1:9999/jwks.json',
    );
    expect(buildPartner(input({ jwksUri: 'http://localhost:9999/k' }), local, now).jwksUri).toBe(
      'http://localhost:9999/k',
    );
    refusal(() => buildPartner(input({ jwksUri: 'http://idp.partner.edu/jwks.json' }), local, now));
    refusal(() => buildPartner(input({ jwksUri: 'http://127.0.0.1.evil.com/jwks.json' }), local, now));
  });

  it('refuses a JWKS URI with credentials', () => {
    refusal(() => buildPartner(input({ jwksUri: 'https://u:p@idp.partner.edu/jwks.json' }), aws, now));
  });

  it.each([
    [{ name: 'x', host: '169.254.169.254', startUrl: 'https://169.254.169.254/' }],
    [{ name: 'x', domain: 'com/evil', startUrl: 'https://lic.com/' }],
    [{ name: 'x', startUrl: 'https://lic.com/' }],
    [{ name: 'x', domain: 'lic.com', startUrl: 'https://other.com/' }],
    [{ name: 'x', domain: 'lic.com', startUrl: 'http://lic.com/' }],
  ])('refuses the database %j', (database) => {
    refusal(() => buildPartner(input({ databases: [database] }), aws, now));
  });

  it('stores IDN hosts as punycode', () => {
    const partner = buildPartner(
      input({ databases: [{ name: 'B', host: 'bibliothèque.fr', startUrl: 'https://bibliothèque.fr/' }] }),
      aws,
      now,
    );
    expect(partner.databases[0]).toMatchObject({
      host: 'xn--bibliothque-59a.fr',
      startUrl: 'https://xn--bibliothque-59a.fr/',
    });
  });

  it('refuses upper-case or wildcard scopes', () => {
    refusal(() =>
      buildPartner(
        input({
          entitlementRules: [
            {
              kind: 'scoped-affiliation',
              claim: 'eduperson_scoped_affiliation',
              affiliations: ['member'],
              scopes: ['*.partner.edu'],
              entitlement: 'library',
            },
          ],
        }),
        aws,
        now,
      ),
    );
  });
});
