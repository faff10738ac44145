// The relay's settings: the embedded node-turn relay (ports, addresses, quotas) or an
// external coturn with a shared secret.
import { isIP } from 'node:net';
import type { ConfigKey } from './config-keys.js';
import { type ConfigReader, MAX_PORT } from './config-reader.js';

const MIN_PORT = 1;
/** Relay ports stay out of the privileged range so the service never needs root for them. */
const MIN_RELAY_PORT = 1024;
/** The TURN REST shared secret must resist offline guessing: at least this many characters. */
const MIN_TURN_SECRET_LENGTH = 32;
/** A per-allocation cap above 1 GB/s is certainly a typo. */
const MAX_TURN_BYTES_PER_S = 1_000_000_000;
/** Quotas above this are certainly a typo (the relay port range is smaller anyway). */
const MAX_TURN_QUOTA = 65535;

export type TurnConfig = Readonly<{
  /** 0 turns the embedded relay off. */
  port: number;
  host: string;
  externalIp: string | null;
  relayPortMin: number;
  relayPortMax: number;
  /** Allocations per credential, in total, and per client address or IPv6 /64 (0 = unlimited). */
  userQuota: number;
  totalQuota: number;
  addressQuota: number;
  /** Of totalQuota, allocations kept for calls live in the hub (credentials from GET
   *  /api/ice-servers never take them). */
  callReserve: number;
  /** TURN over TLS port, used when PORTHELLO_TLS_CERT/KEY are set; 0 turns it off. */
  tlsPort: number;
  /** Per-allocation bandwidth cap, bytes per second in each direction (0 = unlimited). */
  maxBytesPerSecond: number;
  /** Peers the relay may reach despite the deny-list; test setups on loopback only. */
  allowedPeers: readonly string[];
  /** External TURN (coturn use-auth-secret): when set, the embedded relay is off. */
  external: Readonly<{ urls: readonly string[]; secret: string }> | null;
}>;

export function readTurnConfig(reader: ConfigReader): TurnConfig {
  const turnPort = reader.raw('PORTHELLO_TURN_PORT') === '0' ? 0 : reader.port('PORTHELLO_TURN_PORT', MIN_PORT);
  const turnHost = reader.raw('PORTHELLO_TURN_HOST');
  if (isIP(turnHost) === 0) reader.fail('PORTHELLO_TURN_HOST', 'must be an IP address');
  const externalIp = reader.raw('PORTHELLO_TURN_EXTERNAL_IP');
  if (externalIp !== '' && isIP(externalIp) === 0) reader.fail('PORTHELLO_TURN_EXTERNAL_IP', 'must be an IP address or empty');
  // Relay sockets send from and advertise this address, and relay-to-relay traffic is
  // recognised by it: a wildcard address would break both.
  if ((turnHost === '0.0.0.0' || turnHost === '::') && turnPort !== 0) {
    reader.fail(
      'PORTHELLO_TURN_HOST',
      'must be the specific address the relay listens and sends on (the private one behind 1:1 NAT, with PORTHELLO_TURN_EXTERNAL_IP)',
    );
  }
  const turnTlsPort = reader.raw('PORTHELLO_TURN_TLS_PORT') === '0' ? 0 : reader.port('PORTHELLO_TURN_TLS_PORT', MIN_PORT);
  const relayPorts = parsePortRange(reader.raw('PORTHELLO_TURN_RELAY_PORTS'));
  if (relayPorts === null) {
    reader.fail('PORTHELLO_TURN_RELAY_PORTS', `must be a range "low-high" within ${MIN_RELAY_PORT}-${MAX_PORT}`);
  } else if (turnPort >= relayPorts.min && turnPort <= relayPorts.max) {
    reader.fail('PORTHELLO_TURN_RELAY_PORTS', 'must not contain PORTHELLO_TURN_PORT');
  }
  const quota = (key: ConfigKey): number => {
    const text = reader.raw(key);
    if (!/^\d+$/.test(text) || Number(text) > MAX_TURN_QUOTA) {
      reader.fail(key, `must be an integer from 0 (unlimited) to ${MAX_TURN_QUOTA}`);
      return 0;
    }
    return Number(text);
  };
  const maxBytesText = reader.raw('PORTHELLO_TURN_MAX_BYTES_PER_S');
  if (!/^\d+$/.test(maxBytesText) || Number(maxBytesText) > MAX_TURN_BYTES_PER_S)
    reader.fail('PORTHELLO_TURN_MAX_BYTES_PER_S', `must be an integer from 0 (unlimited) to ${MAX_TURN_BYTES_PER_S}`);
  const maxBytesPerSecond = /^\d+$/.test(maxBytesText) ? Number(maxBytesText) : 0;
  const userQuota = quota('PORTHELLO_TURN_USER_QUOTA');
  const totalQuota = quota('PORTHELLO_TURN_TOTAL_QUOTA');
  const addressQuota = quota('PORTHELLO_TURN_ADDRESS_QUOTA');
  const callReserve = quota('PORTHELLO_TURN_CALL_RESERVE');
  if (totalQuota > 0 && callReserve > totalQuota) reader.fail('PORTHELLO_TURN_CALL_RESERVE', 'must not be more than PORTHELLO_TURN_TOTAL_QUOTA');
  const allowedPeers = reader.list('PORTHELLO_TURN_ALLOWED_PEERS');
  for (const rule of allowedPeers) {
    const [address = '', prefix] = rule.split('/');
    if (isIP(address) === 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix)))
      reader.fail('PORTHELLO_TURN_ALLOWED_PEERS', 'must be a comma-separated list of IP addresses or CIDRs');
  }
  const turnUrls = reader.list('PORTHELLO_TURN_URLS');
  const turnSecret = reader.raw('PORTHELLO_TURN_SECRET');
  if (turnUrls.some((url) => !/^turns?:[^\s?]+(\?transport=(udp|tcp))?$/.test(url)))
    reader.fail('PORTHELLO_TURN_URLS', 'must be comma-separated turn: or turns: URLs');
  // The secret's value never goes into an error message.
  if (turnUrls.length > 0 !== (turnSecret !== ''))
    reader.problem('PORTHELLO_TURN_SECRET: PORTHELLO_TURN_URLS and PORTHELLO_TURN_SECRET are set together (external TURN) or not at all');
  else if (turnSecret !== '' && turnSecret.length < MIN_TURN_SECRET_LENGTH)
    reader.problem(`PORTHELLO_TURN_SECRET: must be at least ${MIN_TURN_SECRET_LENGTH} characters`);
  return Object.freeze({
    port: turnPort,
    host: turnHost,
    externalIp: externalIp === '' ? null : externalIp,
    relayPortMin: relayPorts?.min ?? 0,
    relayPortMax: relayPorts?.max ?? 0,
    userQuota,
    totalQuota,
    addressQuota,
    callReserve,
    tlsPort: turnTlsPort,
    maxBytesPerSecond,
    allowedPeers: Object.freeze(allowedPeers),
    external: turnUrls.length === 0 ? null : Object.freeze({ urls: Object.freeze(turnUrls), secret: turnSecret }),
  });
}

function parsePortRange(text: string): { min: number; max: number } | null {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(text);
  if (match === null) return null;
  const min = Number(match[1]);
  const max = Number(match[2]);
  if (min < MIN_RELAY_PORT || max > MAX_PORT || min > max) return null;
  return { min, max };
}
