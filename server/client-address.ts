// The unit a client is counted by in every per-address limit (log-ins, guest tickets, invites,
// signaling sockets): an IPv4 address, or the /64 of an IPv6 address. Turns on the password
// hasher go by a wider network (networkBlock).
import { isIP } from 'node:net';

/** IPv6 hosts usually own a whole /64: counting per address would let one host rotate freely. */
const IPV6_BLOCK_GROUPS = 4;
/**
 * A /24: one operator often holds many neighbouring IPv4 addresses, so where one turn is worth a
 * lot (a password hash on the only hashing thread), a /24 gets one turn, not 256.
 */
const IPV4_NETWORK_OCTETS = 3;

/** The IPv4 address (IPv4-mapped IPv6 included), or the /64 of an IPv6 address. */
export function addressBlock(address: string): string {
  return ipv4Of(address) ?? ipv6BlockOf(address) ?? address;
}

/** The /24 of an IPv4 address (IPv4-mapped IPv6 included), or the /64 of an IPv6 address. */
export function networkBlock(address: string): string {
  const ipv4 = ipv4Of(address);
  if (ipv4 === null) return ipv6BlockOf(address) ?? address;
  return `${ipv4.split('.').slice(0, IPV4_NETWORK_OCTETS).join('.')}.0/${IPV4_NETWORK_OCTETS * 8}`;
}

/** The IPv4 address itself, or the one an IPv4-mapped IPv6 address (::ffff:a.b.c.d) carries. */
function ipv4Of(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return mapped;
  return isIP(address) === 4 ? address : null;
}

function ipv6BlockOf(address: string): string | null {
  if (isIP(address) !== 6) return null;
  const [head = '', tail] = address.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, IPV6_BLOCK_GROUPS)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/${IPV6_BLOCK_GROUPS * 16}`;
}
