import ipaddr from 'ipaddr.js';
import type { Partner } from './partner';

/**
 * Campus access: a request from one of a partner's networks gets that partner's campus entitlements without a
 * login. The address comes from the network (API Gateway's request context or the socket), never from a client
 * header unless a trusted proxy put it there (see clientAddress).
 */

/** Parses an address; `::ffff:a.b.c.d` (how dual-stack sockets show IPv4 clients) becomes IPv4. */
export function parseAddress(raw: string | undefined): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!raw) return undefined;
  // A zone index (fe80::1%eth0) never names a campus network.
  const value = raw.trim();
  if (!ipaddr.isValid(value) || value.includes('%')) return undefined;
  try {
    return ipaddr.process(value);
  } catch {
    return undefined;
  }
}

export function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, range: string): boolean {
  const [network, bits] = ipaddr.parseCIDR(range);
  if (network.kind() !== address.kind()) return false;
  return address.match([network, bits]);
}

/** The active partner whose campus ranges contain the address (the most specific range wins). */
export function campusPartnerFor<P extends Pick<Partner, 'status' | 'ipRanges'>>(
  partners: readonly P[],
  rawAddress: string | undefined,
): P | undefined {
  const address = parseAddress(rawAddress);
  if (!address) return undefined;
  let best: { partner: P; bits: number } | undefined;
  for (const partner of partners) {
    if (partner.status !== 'active') continue;
    for (const range of partner.ipRanges) {
      if (!inRange(address, range)) continue;
      const bits = ipaddr.parseCIDR(range)[1];
      if (!best || bits > best.bits) best = { partner, bits };
    }
  }
  return best?.partner;
}

/**
 * The client's address. Without trusted proxies it is the peer address, full stop: `X-Forwarded-For` is
 * written by the client and proves nothing. With trusted proxies (CIDR ranges) and a peer inside them, the
 * forwarded chain is walked from the right, skipping trusted hops; the first untrusted address is the client.
 */
export function clientAddress(input: {
  peer: string | undefined;
  forwardedFor: string | undefined;
  trustedProxies: readonly string[];
}): string | undefined {
  const peer = parseAddress(input.peer);
  if (!peer) return undefined;
  const trusted = (a: ipaddr.IPv4 | ipaddr.IPv6) => input.trustedProxies.some((r) => inRange(a, r));
  if (input.trustedProxies.length === 0 || !input.forwardedFor || !trusted(peer)) return peer.toString();
  const hops = input.forwardedFor.split(',').map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i]);
    // A garbled chain is not evidence of anything: fall back to the proxy itself (no campus match).
    if (!hop) return peer.toString();
    if (!trusted(hop)) return hop.toString();
  }
  return peer.toString();
}
