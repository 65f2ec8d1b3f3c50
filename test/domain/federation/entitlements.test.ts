import { describe, expect, it } from 'vitest';
import { entitlementOpens, entitlementsFromClaims } from '../../../functions/domain/entitlements';
import type { EntitlementRule } from '../../../functions/domain/partner';

const libTerms = 'urn:mace:dir:entitlement:common-lib-terms';
const rules: EntitlementRule[] = [
  { kind: 'values', claim: 'eduperson_entitlement', values: [libTerms], entitlement: 'library' },
  {
    kind: 'scoped-affiliation',
    claim: 'eduperson_scoped_affiliation',
    affiliations: ['member', 'staff'],
    scopes: ['partner.edu'],
    entitlement: 'members',
  },
];
const partner = { entitlementRules: rules };

describe('claims to entitlements', () => {
  it.each([
    [{ eduperson_entitlement: [libTerms] }, ['library']],
    [{ eduperson_entitlement: ['urn:other', libTerms] }, ['library']],
    [{ eduperson_scoped_affiliation: ['member@partner.edu'] }, ['members']],
    [
      { eduperson_scoped_affiliation: ['staff@partner.edu'], eduperson_entitlement: [libTerms] },
      ['library', 'members'],
    ],
  ])('grants %j → %j', (claims, expected) => {
    expect(entitlementsFromClaims(partner, claims)).toEqual(expected);
  });

  it.each([
    ['a scope from elsewhere', { eduperson_scoped_affiliation: ['member@evil.edu'] }],
    ['the scope as a prefix', { eduperson_scoped_affiliation: ['member@partner.edu.evil'] }],
    ['a subdomain of the scope', { eduperson_scoped_affiliation: ['member@evil.partner.edu'] }],
    ['two @', { eduperson_scoped_affiliation: ['member@evil.edu@partner.edu'] }],
    ['an affiliation not listed', { eduperson_scoped_affiliation: ['affiliate@partner.edu'] }],
    ['scope in another case', { eduperson_scoped_affiliation: ['member@PARTNER.edu'] }],
    ['the entitlement as a string', { eduperson_entitlement: libTerms }],
    ['a string that contains the entitlement', { eduperson_entitlement: `x${libTerms}x` }],
    ['an array element containing it', { eduperson_entitlement: [`${libTerms}-not`] }],
    ['an object', { eduperson_entitlement: { 0: libTerms } }],
    ['a nested array', { eduperson_entitlement: [[libTerms]] }],
    ['the scoped affiliation as a string', { eduperson_scoped_affiliation: 'member@partner.edu' }],
    ['nothing', {}],
  ])('grants nothing for %s', (_case, claims) => {
    expect(entitlementsFromClaims(partner, claims)).toEqual([]);
  });

  it('accepts a bare string as one whole value only when the rule says so', () => {
    // Prepare
    const lenient: EntitlementRule[] = [{ ...rules[0]!, shape: 'array-or-string' }];
    // Act / Assess
    expect(
      entitlementsFromClaims({ entitlementRules: lenient }, { eduperson_entitlement: libTerms }),
    ).toEqual(['library']);
    expect(
      entitlementsFromClaims({ entitlementRules: lenient }, { eduperson_entitlement: `${libTerms} x` }),
    ).toEqual([]);
  });

  it('does not read inherited properties as claims', () => {
    const claims = Object.create({ eduperson_entitlement: [libTerms] }) as Record<string, unknown>;
    expect(entitlementsFromClaims(partner, claims)).toEqual([]);
  });
});

describe('what an entitlement opens', () => {
  const grants = {
    grants: [
      { entitlement: 'library', collections: ['Science'], titles: ['t-1'] },
      { entitlement: 'members', collections: [], titles: ['t-2'] },
    ],
  };
  it('opens titles by id and by collection, for the entitlement named only', () => {
    expect(entitlementOpens(grants, ['library'], { id: 't-1', collections: [] })).toBe(true);
    expect(entitlementOpens(grants, ['library'], { id: 't-9', collections: ['Science'] })).toBe(true);
    expect(entitlementOpens(grants, ['library'], { id: 't-2', collections: [] })).toBe(false);
    expect(entitlementOpens(grants, ['members'], { id: 't-2', collections: [] })).toBe(true);
    expect(entitlementOpens(grants, [], { id: 't-1', collections: ['Science'] })).toBe(false);
  });
});
