// The embedded relay as tests start it: on port 0, which the relay takes for UDP first and then
// for TCP on the same number, which another socket of the machine may hold.
import { startRelay, type RelayOptions } from '../../server/turn/relay.js';

/** How many port-0 picks before a taken TCP twin port fails the test. */
const RELAY_START_ATTEMPTS = 5;

/** startRelay, picking again while the TCP twin of the UDP port it got is taken. */
export function startTestRelay(...args: Parameters<typeof startRelay>): ReturnType<typeof startRelay> {
  return retryWhilePortTaken(() => startRelay(...args));
}

/** Starts a relay (in this thread or in a worker) again while the TCP twin of its UDP port is taken. */
export async function retryWhilePortTaken<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= RELAY_START_ATTEMPTS) throw error;
    }
  }
}

/**
 * A relay on loopback port 0 with the given relay port range and no quotas. `allowedPeers` is the
 * test-only allow-list: ['127.0.0.0/8'] lets the relay reach peers on loopback.
 */
export function loopbackRelayOptions(range: readonly [number, number], extra: Partial<RelayOptions> = {}): RelayOptions {
  return { host: '127.0.0.1', port: 0, relayPortMin: range[0], relayPortMax: range[1], externalIp: null, userQuota: 0, totalQuota: 0, ...extra };
}
