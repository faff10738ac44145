// TURN credentials, minted per call and participant. The username is opaque random bytes: it
// never carries an e-mail, a member id or a call id, so the relay learns nothing about who calls.
//
// Two modes behind one interface:
// - embedded: a random username and password registered on the embedded relay; an unused one
//   is dropped after UNUSED_CREDENTIAL_TTL_MS, a used one lives until its call is revoked.
// - external (coturn `use-auth-secret`): the TURN REST scheme, username "<expiry>:<opaque>" and
//   password base64(HMAC-SHA1(secret, username)). Such credentials cannot be revoked before they
//   expire (the scheme has no channel back to coturn), so their lifetime is bounded instead.
import { createHmac, randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { busy } from '../errors.js';
import type { Relay } from './relay.js';

/** An unused credential (no allocation made with it) is dropped after this. */
export const UNUSED_CREDENTIAL_TTL_MS = 5 * 60_000;
/** Any credential is dropped after this, even if its call was never revoked. */
export const MAX_CREDENTIAL_AGE_MS = 12 * 60 * 60_000;
/** How often expired credentials are swept. */
export const CREDENTIAL_SWEEP_INTERVAL_MS = 30_000;
/** Bounds memory and relay state: past it, issuing answers 503. */
export const MAX_OUTSTANDING_CREDENTIALS = 5000;
/** A participant re-fetching for an ICE restart keeps at most this many; the oldest goes. */
export const MAX_CREDENTIALS_PER_PARTICIPANT = 3;
/** Unused credentials expire within minutes and the sweep runs every 30 s: a minute frees room. */
const SATURATED_RETRY_AFTER_S = 60;
/** External mode: lifetime of a REST credential, longer than any call (it cannot be revoked). */
export const EXTERNAL_CREDENTIAL_TTL_S = 12 * 60 * 60;
/** Opaque username and password sizes (bytes of CSPRNG output before base64url). */
const USERNAME_BYTES = 16;
const PASSWORD_BYTES = 24;

/** The browser's RTCIceServer, as JSON. */
export type IceServer = Readonly<{ urls: readonly string[]; username: string; credential: string }>;
/** The browser's RTCConfiguration subset that GET /api/ice-servers returns. */
export type IceConfiguration = Readonly<{ iceServers: readonly IceServer[]; iceTransportPolicy: 'all' | 'relay' }>;

export type CredentialRequest = Readonly<{
  /** The call this credential belongs to (revoked with it). Never sent to the relay. */
  callId: string;
  /** The member or guest taking part. Never sent to the relay. */
  participantId: string;
  /** True for guest calls and members who chose relay-only: the browser uses relay candidates only. */
  relayOnly: boolean;
}>;

export interface TurnCredentials {
  readonly mode: 'embedded' | 'external';
  /** Mints a credential for one participant of one call; throws a busy AppError when saturated. */
  issue(request: CredentialRequest): IceConfiguration;
  /** Hang-up: every credential of the call stops working and its allocations end. */
  revokeCall(callId: string): void;
  /** Stops the sweep timer and revokes every credential. */
  close(): void;
}

type Issued = { username: string; callId: string; participantId: string; issuedAtMs: number; used: boolean };

export type EmbeddedOptions = {
  relay: Pick<Relay, 'addUser' | 'removeUser' | 'allocationCount'>;
  urls: readonly string[];
  now?: () => number;
  /** Tests sweep by hand; production sweeps every CREDENTIAL_SWEEP_INTERVAL_MS. */
  autoSweep?: boolean;
  unusedTtlMs?: number;
};

export type EmbeddedCredentials = TurnCredentials & {
  /** Drops unused credentials past their TTL and any past MAX_CREDENTIAL_AGE_MS. */
  sweep(): void;
  size(): number;
};

export function createEmbeddedCredentials(options: EmbeddedOptions): EmbeddedCredentials {
  const now = options.now ?? Date.now;
  const unusedTtlMs = options.unusedTtlMs ?? UNUSED_CREDENTIAL_TTL_MS;
  const byUsername = new Map<string, Issued>();
  const byCall = new Map<string, Set<string>>();

  const revoke = (username: string): void => {
    const issued = byUsername.get(username);
    if (issued === undefined) return;
    byUsername.delete(username);
    const call = byCall.get(issued.callId);
    call?.delete(username);
    if (call !== undefined && call.size === 0) byCall.delete(issued.callId);
    options.relay.removeUser(username);
  };

  const sweep = (): void => {
    const time = now();
    for (const issued of [...byUsername.values()]) {
      if (!issued.used && options.relay.allocationCount(issued.username) > 0) issued.used = true;
      const age = time - issued.issuedAtMs;
      if (age > MAX_CREDENTIAL_AGE_MS || (!issued.used && age > unusedTtlMs)) revoke(issued.username);
    }
  };

  const timer = options.autoSweep === false ? null : setInterval(sweep, CREDENTIAL_SWEEP_INTERVAL_MS);
  timer?.unref();

  return {
    mode: 'embedded',
    issue(request) {
      if (byUsername.size >= MAX_OUTSTANDING_CREDENTIALS) sweep();
      if (byUsername.size >= MAX_OUTSTANDING_CREDENTIALS) throw busy('turn_saturated', 'The relay is busy; try again in a minute.', SATURATED_RETRY_AFTER_S);
      const mine = [...(byCall.get(request.callId) ?? [])]
        .map((username) => byUsername.get(username) as Issued)
        .filter((issued) => issued.participantId === request.participantId)
        .sort((a, b) => a.issuedAtMs - b.issuedAtMs);
      for (const old of mine.slice(0, Math.max(0, mine.length - MAX_CREDENTIALS_PER_PARTICIPANT + 1))) {
        if (options.relay.allocationCount(old.username) === 0) revoke(old.username);
      }
      const username = randomBytes(USERNAME_BYTES).toString('base64url');
      const password = randomBytes(PASSWORD_BYTES).toString('base64url');
      options.relay.addUser(username, password);
      byUsername.set(username, { username, callId: request.callId, participantId: request.participantId, issuedAtMs: now(), used: false });
      const call = byCall.get(request.callId) ?? new Set<string>();
      call.add(username);
      byCall.set(request.callId, call);
      return {
        iceServers: [{ urls: [...options.urls], username, credential: password }],
        iceTransportPolicy: request.relayOnly ? 'relay' : 'all',
      };
    },
    revokeCall(callId) {
      for (const username of [...(byCall.get(callId) ?? [])]) revoke(username);
    },
    close() {
      if (timer !== null) clearInterval(timer);
      for (const username of [...byUsername.keys()]) revoke(username);
    },
    sweep,
    size: () => byUsername.size,
  };
}

export type ExternalOptions = { urls: readonly string[]; secret: string; now?: () => number; ttlS?: number };

/** The TURN REST password for `username`, as coturn's use-auth-secret computes it. */
export function restPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

export function createExternalCredentials(options: ExternalOptions): TurnCredentials {
  const now = options.now ?? Date.now;
  const ttlS = options.ttlS ?? EXTERNAL_CREDENTIAL_TTL_S;
  return {
    mode: 'external',
    issue(request) {
      const expiry = Math.floor(now() / 1000) + ttlS;
      const username = `${expiry}:${randomBytes(USERNAME_BYTES).toString('base64url')}`;
      return {
        iceServers: [{ urls: [...options.urls], username, credential: restPassword(options.secret, username) }],
        iceTransportPolicy: request.relayOnly ? 'relay' : 'all',
      };
    },
    // The REST scheme gives no way to revoke; the expiry bounds the credential instead.
    revokeCall() {},
    close() {},
  };
}

/**
 * The turn: URLs of the embedded relay. Clients need an address they can reach: the external IP
 * behind 1:1 NAT, else the TURN listening address, else (wildcard) the public URL's host.
 */
export function embeddedTurnUrls(options: { host: string; externalIp: string | null; publicOrigin: string; port: number; tcp: boolean; tlsPort?: number | null }): string[] {
  let host = options.externalIp ?? options.host;
  if (host === '0.0.0.0' || host === '::') host = new URL(options.publicOrigin).hostname.replace(/^\[|\]$/g, '');
  const shown = isIPv6(host) ? `[${host}]` : host;
  const urls = [`turn:${shown}:${options.port}?transport=udp`];
  if (options.tcp) urls.push(`turn:${shown}:${options.port}?transport=tcp`);
  // TLS needs the name the certificate is for: the public URL's host.
  if (options.tlsPort !== undefined && options.tlsPort !== null) urls.push(`turns:${new URL(options.publicOrigin).host.replace(/:\d+$/, '')}:${options.tlsPort}?transport=tcp`);
  return urls;
}

/** The credential service the configuration asks for: external coturn, embedded relay, or none. */
export function createTurnCredentials(
  turn: Readonly<{ host: string; externalIp: string | null; external: Readonly<{ urls: readonly string[]; secret: string }> | null }>,
  publicOrigin: string,
  relay: Relay | null,
): TurnCredentials | null {
  if (turn.external !== null) return createExternalCredentials({ urls: turn.external.urls, secret: turn.external.secret });
  if (relay === null) return null;
  return createEmbeddedCredentials({ relay, urls: embeddedTurnUrls({ host: turn.host, externalIp: turn.externalIp, publicOrigin, port: relay.port, tcp: true, tlsPort: relay.tlsPort }) });
}
