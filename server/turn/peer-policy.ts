// Which peers the relay may send to. A TURN relay that can reach loopback, private networks or
// the box's own public address is a hole into that network (CVE-2020-26262, CVE-2026-27624), so
// every special-purpose range is denied, IPv6 forms that embed an IPv4 address are judged by the
// IPv4 address they carry, and anything that does not parse is denied.
import { isIPv4, isIPv6 } from 'node:net';
import { buildAddressList } from '../address-list.js';
import { ipv6Bytes } from './stun.js';

/** IANA special-purpose IPv4 ranges (plus multicast, reserved and broadcast). */
export const DENIED_IPV4: readonly string[] = [
  '0.0.0.0/8', // "this network", unspecified
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // CGNAT, RFC 6598
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local
  '172.16.0.0/12', // RFC 1918
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1
  '192.31.196.0/24', // AS112
  '192.52.193.0/24', // AMT
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16', // RFC 1918
  '192.175.48.0/24', // AS112 direct delegation
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, includes 255.255.255.255 broadcast
];

/** IPv6 counterparts. Mapped (::ffff:0:0/96) and compatible (::/96) forms are unwrapped first. */
export const DENIED_IPV6: readonly string[] = [
  '::/128', // unspecified
  '::1/128', // loopback
  '64:ff9b::/96', // NAT64 well-known prefix
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard-only
  '2001::/23', // IETF protocol assignments (Teredo, benchmarking, ORCHID...)
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4
  '2620:4f:8000::/48', // AS112
  '3fff::/20', // documentation (RFC 9637)
  '5f00::/16', // segment routing SIDs
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // deprecated site-local
  'ff00::/8', // multicast
];

export type PeerPolicyOptions = {
  /** CIDRs or single addresses allowed even inside denied ranges (tests: 127.0.0.0/8). */
  allow?: readonly string[];
  /** Extra addresses to deny, e.g. the box's own public address. */
  deny?: readonly string[];
};

/**
 * The IPv4 address an IPv6 address stands for, if any: IPv4-mapped ::ffff:a.b.c.d,
 * IPv4-compatible ::a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::a.b.c.d and
 * 6to4 2002:AABB:CCDD::.
 */
export function embeddedIPv4(address: string): string | null {
  const bytes = ipv6Bytes(address);
  const zeroUpTo = (end: number): boolean => bytes.subarray(0, end).every((byte) => byte === 0);
  const tail = (): string => [...bytes.subarray(12, 16)].join('.');
  if (zeroUpTo(10) && bytes[10] === 0xff && bytes[11] === 0xff) return tail(); // mapped
  if (zeroUpTo(12)) return tail(); // compatible (also :: and ::1, denied as IPv6 anyway)
  if (zeroUpTo(8) && bytes[8] === 0xff && bytes[9] === 0xff && bytes[10] === 0 && bytes[11] === 0) return tail(); // translated
  if (bytes.readUInt32BE(0) === 0x0064ff9b && bytes.subarray(4, 12).every((byte) => byte === 0)) return tail(); // NAT64
  if (bytes.readUInt16BE(0) === 0x2002) return [...bytes.subarray(2, 6)].join('.'); // 6to4
  return null;
}

export type PeerFilter = (address: string) => boolean;

/** Returns true when the relay may send to `address`. Never throws. */
export function createPeerFilter(options: PeerPolicyOptions = {}): PeerFilter {
  const deniedV4 = buildAddressList([...DENIED_IPV4, ...(options.deny ?? []).filter((rule) => isIPv4(rule.split('/')[0] ?? ''))]);
  const deniedV6 = buildAddressList([...DENIED_IPV6, ...(options.deny ?? []).filter((rule) => isIPv6(rule.split('/')[0] ?? ''))]);
  const allow = buildAddressList(options.allow ?? []);
  const hasAllow = (options.allow ?? []).length > 0;

  return (address: string): boolean => {
    if (isIPv4(address)) {
      if (hasAllow && allow.check(address, 'ipv4')) return true;
      return !deniedV4.check(address, 'ipv4');
    }
    if (!isIPv6(address)) return false;
    const inner = embeddedIPv4(address);
    if (hasAllow && (allow.check(address, 'ipv6') || (inner !== null && allow.check(inner, 'ipv4')))) return true;
    if (deniedV6.check(address, 'ipv6')) return false;
    if (inner !== null && deniedV4.check(inner, 'ipv4')) return false;
    return true;
  };
}
