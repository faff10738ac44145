// The unit a client is counted by in every per-address limit (log-ins, guest tickets, invites,
// signaling sockets): an IPv4 address, or the /64 of an IPv6 address.
import { isIP } from 'node:net';

/** IPv6 hosts usually own a whole /64: counting per address would let one host rotate freely. */
const IPV6_BLOCK_GROUPS = 4;

/** The IPv4 address (IPv4-mapped IPv6 included), or the /64 of an IPv6 address. */
export function addressBlock(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1] ?? address;
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, IPV6_BLOCK_GROUPS)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
