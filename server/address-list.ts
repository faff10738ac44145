// Lists of addresses and CIDRs, as settings write them ("10.0.0.0/8", "::1"), turned into
// node's BlockList so membership is answered for either family in one place.
import { BlockList, isIPv4, isIPv6 } from 'node:net';

function addRule(list: BlockList, rule: string): void {
  const [address = '', prefixText] = rule.split('/');
  const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
  if (type === null) throw new Error(`not an IP address or CIDR: ${rule}`);
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(prefixText);
  const bits = type === 'ipv4' ? 32 : 128;
  if (!/^\d+$/.test(prefixText) || prefix > bits) throw new Error(`bad prefix length: ${rule}`);
  list.addSubnet(address, prefix, type);
}

/** Throws on a rule that is not an address or CIDR: settings are checked before this runs. */
export function buildAddressList(rules: readonly string[]): BlockList {
  const list = new BlockList();
  for (const rule of rules) addRule(list, rule);
  return list;
}

/** The problem with a rule, or null when it is a valid address or CIDR. */
export function addressRuleProblem(rule: string): string | null {
  try {
    addRule(new BlockList(), rule);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Whether an address, as a socket reports it (IPv4-mapped IPv6 included), is in the list. */
export function listHas(list: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return list.check(mapped[1], 'ipv4');
  if (isIPv4(address)) return list.check(address, 'ipv4');
  return isIPv6(address) && list.check(address, 'ipv6');
}
