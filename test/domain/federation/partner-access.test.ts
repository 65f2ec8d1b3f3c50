import { describe, expect, it } from 'vitest';
import { denialMetricOf } from '../../../functions/domain/lending';
import { newLicence } from '../../../functions/domain/licence';
import {
  decidePartnerAccess,
  readingCapacityOf,
  type PartnerAccessInput,
} from '../../../functions/domain/partner-access';

const now = new Date('2026-03-01T08:00:00Z');
const partner = {
  id: 'unhas',
  status: 'active' as const,
  grants: [{ entitlement: 'library', collections: ['Science'], titles: ['t-1'] }],
};
const member = { patronId: 'fm-1', roles: [], partnerId: 'unhas', entitlements: ['library'] };
const licence = (
  concurrency: number | null,
  expires: string | null = null,
  checkouts: number | null = null,
) => newLicence(`l-${Math.random()}`, 't-1', { concurrency, checkouts, expires, loanLength: null }, now);

function decide(overrides: Partial<PartnerAccessInput> = {}) {
  return decidePartnerAccess({
    title: { id: 't-1', status: 'active', collections: [] },
    caller: member,
    partner,
    licences: [],
    now,
    ...overrides,
  });
}

describe('partner access', () => {
  it('opens a granted title to an entitled member; no licence means no cap', () => {
    expect(decide()).toEqual({ allowed: true, slots: null });
  });

  it('caps readers by the usable licences’ concurrency', () => {
    expect(decide({ licences: [licence(2), licence(1)] })).toEqual({ allowed: true, slots: 3 });
    expect(decide({ licences: [licence(2), licence(null)] })).toEqual({ allowed: true, slots: null });
    expect(decide({ licences: [licence(2), licence(5, '2026-01-01T00:00:00Z')] })).toEqual({
      allowed: true,
      slots: 2,
    });
  });

  it('counts a title whose licences are all used up or expired as No_License', () => {
    const decision = decide({ licences: [licence(2, '2026-01-01T00:00:00Z'), licence(1, null, 0)] });
    expect(decision).toMatchObject({ allowed: false, metric: 'No_License' });
    expect(denialMetricOf((decision as { error: unknown }).error)).toBe('No_License');
  });

  it.each([
    ['no entitlement', { caller: { ...member, entitlements: [] } }],
    ['another entitlement', { caller: { ...member, entitlements: ['other'] } }],
    ['another partner', { caller: { ...member, partnerId: 'other' } }],
    ['a title not granted', { title: { id: 't-9', status: 'active' as const, collections: [] } }],
    ['a suspended partner', { partner: { ...partner, status: 'suspended' as const } }],
    [
      'a patron of the library',
      { caller: { patronId: 'p-1', roles: ['patron' as const] }, partner: undefined },
    ],
  ])('counts %s as No_License (NOT_ENTITLED)', (_case, overrides) => {
    const decision = decide(overrides);
    expect(decision).toMatchObject({ allowed: false, metric: 'No_License', error: { code: 'NOT_ENTITLED' } });
    expect(denialMetricOf((decision as { error: unknown }).error)).toBe('No_License');
  });

  it('opens by collection', () => {
    expect(decide({ title: { id: 't-7', status: 'active', collections: ['Science'] } })).toMatchObject({
      allowed: true,
    });
  });

  it('asks an anonymous caller to sign in and refuses a withdrawn title, neither counted', () => {
    expect(decide({ caller: undefined })).toMatchObject({
      allowed: false,
      metric: undefined,
      error: { status: 401 },
    });
    expect(decide({ title: { id: 't-1', status: 'withdrawn', collections: [] } })).toMatchObject({
      allowed: false,
      error: { code: 'TITLE_WITHDRAWN' },
    });
  });

  it('reads capacity as lending summarises the pool', () => {
    expect(readingCapacityOf([], now)).toBeNull();
    expect(readingCapacityOf([licence(1)], now)).toBe(1);
  });
});
