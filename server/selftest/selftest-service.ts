// Relay credentials for the connection self-test (/test), which anyone may open: a page that has
// no account still needs to know whether the relay is reachable. So they are short-lived (revoked
// SELF_TEST_CREDENTIAL_TTL_MS after they were given, whatever the page does), few per client
// address, and few in all; their allocations take the relay capacity not kept for calls.
import { randomBytes } from 'node:crypto';
import { createWindowLimit } from '../accounts/window-limit.js';
import { addressBlock } from '../client-address.js';
import type { SelfTestIce, SelfTestIceServer } from '../contract/selftest.js';
import { busy, rateLimited } from '../errors.js';
import type { IceServer, TurnCredentials } from '../turn/credentials.js';

/** A self-test takes under a minute; five leave room for a slow network and a second try. */
export const SELF_TEST_CREDENTIAL_TTL_MS = 5 * 60_000;
/** Self-tests per client address (IPv6: per /64) and window: a person retrying, an office behind
 *  one NAT trying together, not a stream of free relay credentials. */
export const SELF_TESTS_PER_ADDRESS = 6;
export const SELF_TEST_WINDOW_MS = 10 * 60_000;
/** Addresses remembered by the limit; the oldest are forgotten past this. */
const SELF_TEST_MAX_TRACKED_ADDRESSES = 10_000;
/** Self-tests whose credentials live at once (two credentials each), whoever asked. */
export const MAX_LIVE_SELF_TESTS = 50;
/** A self-test ends at the latest within this much of its TTL. */
export const SELF_TEST_SWEEP_INTERVAL_MS = 15_000;
/** When every slot is taken, the oldest frees within a TTL. */
const SELF_TEST_BUSY_RETRY_AFTER_S = Math.ceil(SELF_TEST_CREDENTIAL_TTL_MS / 1000);
const SELF_TEST_ID_BYTES = 12;

export type SelfTestService = {
  /** Two sides' relay credentials; a rate-limited (too_many_tests) or busy AppError past the bounds. */
  start(clientAddress: string): SelfTestIce;
  /** Revokes the credentials past their TTL (a timer calls it; tests call it after moving the clock). */
  sweep(): void;
  /** Stops the timer and revokes every self-test's credentials. */
  close(): void;
};

export function createSelfTestService(deps: { credentials: TurnCredentials | null; now?: () => number; autoSweep?: boolean }): SelfTestService {
  const now = deps.now ?? Date.now;
  const perAddress = createWindowLimit({ perWindow: SELF_TESTS_PER_ADDRESS, windowMs: SELF_TEST_WINDOW_MS, maxKeys: SELF_TEST_MAX_TRACKED_ADDRESSES }, { now });
  /** Live self-tests: call id → when its credentials end. Insertion order is expiry order. */
  const live = new Map<string, number>();

  const sweep = (): void => {
    for (const [callId, endsAtMs] of live) {
      if (endsAtMs > now()) break;
      live.delete(callId);
      deps.credentials?.revokeCall(callId);
    }
  };
  const timer = deps.autoSweep === false ? null : setInterval(sweep, SELF_TEST_SWEEP_INTERVAL_MS);
  timer?.unref();

  return {
    start(clientAddress) {
      const expiresInS = Math.floor(SELF_TEST_CREDENTIAL_TTL_MS / 1000);
      if (deps.credentials === null) return { first: [], second: [], expiresInS };
      sweep();
      const waitMs = perAddress.take(addressBlock(clientAddress));
      if (waitMs > 0) throw rateLimited('too_many_tests', 'Too many connection tests from this network; try again later.', Math.ceil(waitMs / 1000));
      if (live.size >= MAX_LIVE_SELF_TESTS)
        throw busy('self_test_busy', 'Too many connection tests right now; try again in a few minutes.', SELF_TEST_BUSY_RETRY_AFTER_S);
      // Its own call id: the relay lets the two sides' allocations reach each other, as in a call.
      const callId = `selftest-${randomBytes(SELF_TEST_ID_BYTES).toString('base64url')}`;
      const side = (participantId: string): SelfTestIceServer[] => {
        const issued = deps.credentials?.issue({ callId, participantId, relayOnly: true, kind: 'unbound', maxLifetimeS: expiresInS });
        return (issued?.iceServers ?? []).map(asJson);
      };
      live.set(callId, now() + SELF_TEST_CREDENTIAL_TTL_MS);
      try {
        return { first: side('first'), second: side('second'), expiresInS };
      } catch (error) {
        // The relay's own bounds (saturated): nothing half-issued stays behind.
        live.delete(callId);
        deps.credentials.revokeCall(callId);
        throw error;
      }
    },
    sweep,
    close() {
      if (timer !== null) clearInterval(timer);
      for (const callId of live.keys()) deps.credentials?.revokeCall(callId);
      live.clear();
    },
  };
}

function asJson(server: IceServer): SelfTestIceServer {
  return { urls: [...server.urls], username: server.username, credential: server.credential };
}
