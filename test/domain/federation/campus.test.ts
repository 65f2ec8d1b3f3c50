import { describe, expect, it } from 'vitest';
import { campusPartnerFor, clientAddress } from '../../../functions/domain/campus';

const partners = [
  { id: 'a', status: 'active' as const, ipRanges: ['192.0.2.0/24', '2001:db8:10::/48'] },
  { id: 'b', status: 'active' as const, ipRanges: ['192.0.2.128/25'] },
  { id: 'gone', status: 'suspended' as const, ipRanges: ['198.51.100.0/24'] },
];

describe('campus ranges', () => {
  it.each([
    ['192.0.2.10', 'a'],
    ['192.0.2.200', 'b'],
    ['::ffff:192.0.2.10', 'a'],
    ['::FFFF:192.0.2.200', 'b'],
    ['2001:db8:10::1', 'a'],
    ['2001:db8:10:ffff::42', 'a'],
  ])('%s is on the campus of %s', (address, partner) => {
    expect(campusPartnerFor(partners, address)?.id).toBe(partner);
  });

  it.each([
    '192.0.3.1',
    '2001:db8:11::1',
    '198.51.100.7',
    '::ffff:10.0.0.1',
    'garbage',
    '',
    undefined,
    'fe80::1%eth0',
  ])('%s is on no campus', (address) => {
    expect(campusPartnerFor(partners, address)).toBeUndefined();
  });
});

describe('the client address', () => {
  it('is the peer address, whatever X-Forwarded-For says, when no proxy is trusted', () => {
    expect(clientAddress({ peer: '203.0.113.9', forwardedFor: '192.0.2.10', trustedProxies: [] })).toBe(
      '203.0.113.9',
    );
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(
      clientAddress({ peer: '203.0.113.9', forwardedFor: '192.0.2.10', trustedProxies: ['10.0.0.0/8'] }),
    ).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted hop behind a trusted proxy', () => {
    expect(
      clientAddress({
        peer: '10.0.0.5',
        forwardedFor: '192.0.2.10, 198.51.100.1, 10.0.0.4',
        trustedProxies: ['10.0.0.0/8'],
      }),
    ).toBe('198.51.100.1');
  });

  it('maps ::ffff: peers to IPv4', () => {
    expect(clientAddress({ peer: '::ffff:192.0.2.10', forwardedFor: undefined, trustedProxies: [] })).toBe(
      '192.0.2.10',
    );
  });
});
