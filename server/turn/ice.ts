// TURN credentials for calls through the embedded relay: one opaque random username and
// password per call and party (never an e-mail or a member id), accepted by the relay while the
// call lives and revoked when it ends.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { IceServer } from '../signal/protocol.js';
import type { IceProvider } from '../signal/deps.js';
import type { Relay } from './relay.js';

const USERNAME_BYTES = 16;
const PASSWORD_BYTES = 24;

export function embeddedRelayIce(relay: Pick<Relay, 'allow' | 'revoke' | 'port'>, where: { host: string; externalIp: string | null; publicOrigin: string }): IceProvider {
  const usernamesByCall = new Map<string, string[]>();
  const address = advertisedAddress(where);
  const urls = [`turn:${address}:${relay.port}?transport=udp`];

  return {
    iceServersFor(callId): IceServer[] {
      const username = randomBytes(USERNAME_BYTES).toString('base64url');
      const credential = randomBytes(PASSWORD_BYTES).toString('base64url');
      relay.allow(username, credential);
      usernamesByCall.set(callId, [...(usernamesByCall.get(callId) ?? []), username]);
      return [{ urls, username, credential }];
    },
    releaseCall(callId) {
      for (const username of usernamesByCall.get(callId) ?? []) relay.revoke(username);
      usernamesByCall.delete(callId);
    },
  };
}

/** Where browsers reach the relay: the NAT's public address, the listening address, or the public URL's host when listening on every interface. */
function advertisedAddress(where: { host: string; externalIp: string | null; publicOrigin: string }): string {
  const chosen = where.externalIp ?? (where.host === '0.0.0.0' || where.host === '::' ? new URL(where.publicOrigin).hostname : where.host);
  return isIP(chosen) === 6 ? `[${chosen}]` : chosen;
}
