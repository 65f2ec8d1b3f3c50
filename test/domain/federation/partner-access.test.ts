import { describe, expect, it } from 'vitest';
import { decidePartnerAccess, type PartnerAccessInput } from '../../../functions/domain/partner-access';

const partner = {
  id: 'unhas',
  status: 'active' as const,
  grants: [{ entitlement: 'library', collections: ['Science'], titles: ['t-1'] }],
};
const member = { patronId: 'fm-1', roles: [], partnerId: 'unhas', entitlements: ['library'] };

function decide(overrides: Partial<PartnerAccessInput> = {}) {
  return decidePartnerAccess({
    title: { id: 't-1', access: 'partner', status: 'active', collections: [] },
    caller: member,
    partner,
    concurrency: undefined,
    inUse: 0,
    ...overrides,
  });
}

describe('partner access', () => {
  it('opens a granted title to an entitled member', () => {
    expect(decide()).toEqual({ allowed: true });
    expect(decide({ concurrency: null, inUse: 99 })).toEqual({ allowed: true });
    expect(decide({ concurrency: 2, inUse: 1 })).toEqual({ allowed: true });
  });

  it('counts a full licence as Limit_Exceeded', () => {
    expect(decide({ concurrency: 2, inUse: 2 })).toMatchObject({ allowed: false, metric: 'Limit_Exceeded' });
  });

  it.each([
    ['no entitlement', { caller: { ...member, entitlements: [] } }],
    ['another entitlement', { caller: { ...member, entitlements: ['other'] } }],
    ['another partner', { caller: { ...member, partnerId: 'other' } }],
    [
      'a title not granted',
      { title: { id: 't-9', access: 'partner' as const, status: 'active' as const, collections: [] } },
    ],
    ['a suspended partner', { partner: { ...partner, status: 'suspended' as const } }],
    ['no usable licence', { concurrency: 0 }],
    [
      'a patron of the library',
      { caller: { patronId: 'p-1', roles: ['patron' as const] }, partner: undefined },
    ],
  ])('counts %s as No_License', (_case, overrides) => {
    expect(decide(overrides)).toMatchObject({ allowed: false, metric: 'No_License' });
  });

  it('opens by collection', () => {
    expect(
      decide({ title: { id: 't-7', access: 'partner', status: 'active', collections: ['Science'] } }),
    ).toEqual({
      allowed: true,
    });
  });
});
