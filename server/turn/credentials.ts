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
import { addressBlock } from '../client-address.js';
import { busy, rateLimited } from '../errors.js';
import type { CredentialKind, Relay } from './relay.js';

/** An unused credential (no allocation made with it) is dropped this long after it was last asked for. */
export const UNUSED_CREDENTIAL_TTL_MS = 5 * 60_000;
/** Any credential is dropped after this, even if its call was never revoked. */
export const MAX_CREDENTIAL_AGE_MS = 12 * 60 * 60_000;
/** How often expired credentials are swept (a timer: never on a request). */
export const CREDENTIAL_SWEEP_INTERVAL_MS = 30_000;
/** Bounds memory and relay state: past it, issuing answers 503. */
export const MAX_OUTSTANDING_CREDENTIALS = 5000;
/** Of those, credentials asked for outside a call (GET /api/ice-servers) may hold this many: the
 * rest is kept for calls that are live in the hub (two per call), so no flood of unbound
 * credentials can leave an answered call without a relay. */
export const MAX_UNBOUND_CREDENTIALS = 3000;
/** Unbound credentials per client address (IPv6: per /64): a NAT's worth of browsers, not a flood. */
export const MAX_UNBOUND_CREDENTIALS_PER_ADDRESS = 8;
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
  /** The call this credential belongs to (revoked with it); null outside a call (GET
   *  /api/ice-servers), from the capacity not reserved for calls. Never sent to the relay. */
  callId: string | null;
  /** The party taking part: one credential per party and call, asked for again it is the same one.
   *  Never sent to the relay. */
  participantId: string;
  /** What the credential was minted for (a session, a member, a guest ticket): revoking any of
   *  them with revokeOwner ends the credential and its allocations. */
  owners?: readonly string[];
  /** The client's address, for the per-address bound of credentials outside a call. */
  clientAddress?: string;
  /** True for guest calls and members who chose relay-only: the browser uses relay candidates only. */
  relayOnly: boolean;
  /** Which relay capacity its allocations take: by default a call's credential takes the share
   *  kept for calls, one outside a call the rest. The connection self-test has a call id of its
   *  own (so its two allocations may reach each other) yet must not eat into real calls' share. */
  kind?: CredentialKind;
  /** External mode: such credentials cannot be revoked, so one that must not outlive a few
   *  minutes (the self-test's) expires after this instead of EXTERNAL_CREDENTIAL_TTL_S. Embedded
   *  credentials are revoked by whoever asked for them. */
  maxLifetimeS?: number;
}>;

export interface TurnCredentials {
  readonly mode: 'embedded' | 'external';
  /** The party's credential for this call (the same one while it lives); throws a busy or
   *  rate-limited AppError when that bound is reached. */
  issue(request: CredentialRequest): IceConfiguration;
  /** Hang-up: every credential of the call stops working and its allocations end. */
  revokeCall(callId: string): void;
  /** Log-out, ticket revocation, account deletion: every credential minted for `owner` ends. */
  revokeOwner(owner: string): void;
  /** Stops the sweep timer and revokes every credential. */
  close(): void;
}

type Issued = {
  username: string;
  password: string;
  key: string;
  callId: string | null;
  owners: readonly string[];
  /** The client block an unbound credential is counted against. */
  block: string | null;
  issuedAtMs: number;
  lastAskedAtMs: number;
  used: boolean;
};

export type CredentialLimits = Readonly<{ maxOutstanding: number; maxUnbound: number; maxUnboundPerAddress: number }>;

export type EmbeddedOptions = {
  relay: Pick<Relay, 'addUser' | 'removeUser' | 'allocationCount'>;
  urls: readonly string[];
  now?: () => number;
  /** Tests sweep by hand; production sweeps every CREDENTIAL_SWEEP_INTERVAL_MS. */
  autoSweep?: boolean;
  unusedTtlMs?: number;
  /** Tests lower the bounds to reach them. */
  limits?: Partial<CredentialLimits>;
};

export type EmbeddedCredentials = TurnCredentials & {
  /** Drops unused credentials past their TTL and any past MAX_CREDENTIAL_AGE_MS. */
  sweep(): void;
  size(): number;
};

/** Adds `value` to the set under `key` of a map of sets. */
function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

function removeFrom(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
}

export function createEmbeddedCredentials(options: EmbeddedOptions): EmbeddedCredentials {
  const now = options.now ?? Date.now;
  const unusedTtlMs = options.unusedTtlMs ?? UNUSED_CREDENTIAL_TTL_MS;
  const limits: CredentialLimits = {
    maxOutstanding: MAX_OUTSTANDING_CREDENTIALS,
    maxUnbound: MAX_UNBOUND_CREDENTIALS,
    maxUnboundPerAddress: MAX_UNBOUND_CREDENTIALS_PER_ADDRESS,
    ...options.limits,
  };
  // Every lookup is by key: no request walks the whole table.
  const byUsername = new Map<string, Issued>();
  const byKey = new Map<string, Issued>();
  const byCall = new Map<string, Set<string>>();
  const byOwner = new Map<string, Set<string>>();
  const unboundByBlock = new Map<string, number>();
  let unbound = 0;

  const revoke = (username: string): void => {
    const issued = byUsername.get(username);
    if (issued === undefined) return;
    byUsername.delete(username);
    byKey.delete(issued.key);
    if (issued.callId !== null) removeFrom(byCall, issued.callId, username);
    for (const owner of issued.owners) removeFrom(byOwner, owner, username);
    if (issued.callId === null) {
      unbound -= 1;
      if (issued.block !== null) {
        const count = (unboundByBlock.get(issued.block) ?? 1) - 1;
        if (count <= 0) unboundByBlock.delete(issued.block);
        else unboundByBlock.set(issued.block, count);
      }
    }
    options.relay.removeUser(username);
  };

  const sweep = (): void => {
    const time = now();
    for (const issued of [...byUsername.values()]) {
      if (!issued.used && options.relay.allocationCount(issued.username) > 0) issued.used = true;
      if (time - issued.issuedAtMs > MAX_CREDENTIAL_AGE_MS || (!issued.used && time - issued.lastAskedAtMs > unusedTtlMs)) revoke(issued.username);
    }
  };

  const timer = options.autoSweep === false ? null : setInterval(sweep, CREDENTIAL_SWEEP_INTERVAL_MS);
  timer?.unref();

  const saturated = () => busy('turn_saturated', 'The relay is busy; try again in a minute.', SATURATED_RETRY_AFTER_S);

  return {
    mode: 'embedded',
    issue(request) {
      const key = `${request.callId ?? ''}\n${request.participantId}`;
      const configuration = (issued: Issued): IceConfiguration => ({
        iceServers: [{ urls: [...options.urls], username: issued.username, credential: issued.password }],
        iceTransportPolicy: request.relayOnly ? 'relay' : 'all',
      });
      const known = byKey.get(key);
      if (known !== undefined && now() - known.issuedAtMs <= MAX_CREDENTIAL_AGE_MS) {
        known.lastAskedAtMs = now();
        return configuration(known);
      }
      if (known !== undefined) revoke(known.username);
      const isUnbound = request.callId === null;
      const block = isUnbound && request.clientAddress !== undefined ? addressBlock(request.clientAddress) : null;
      if (byUsername.size >= limits.maxOutstanding || (isUnbound && unbound >= limits.maxUnbound)) throw saturated();
      if (block !== null && (unboundByBlock.get(block) ?? 0) >= limits.maxUnboundPerAddress) {
        throw rateLimited('turn_address_limit', 'Too many relay credentials for this network; try again in a few minutes.', Math.ceil(unusedTtlMs / 1000));
      }
      const username = randomBytes(USERNAME_BYTES).toString('base64url');
      const password = randomBytes(PASSWORD_BYTES).toString('base64url');
      const kind: CredentialKind = request.kind ?? (isUnbound ? 'unbound' : 'call');
      options.relay.addUser(username, password, kind, request.callId);
      const issued: Issued = {
        username,
        password,
        key,
        callId: request.callId,
        owners: [...(request.owners ?? [])],
        block,
        issuedAtMs: now(),
        lastAskedAtMs: now(),
        used: false,
      };
      byUsername.set(username, issued);
      byKey.set(key, issued);
      if (request.callId !== null) addTo(byCall, request.callId, username);
      for (const owner of issued.owners) addTo(byOwner, owner, username);
      if (isUnbound) {
        unbound += 1;
        if (block !== null) unboundByBlock.set(block, (unboundByBlock.get(block) ?? 0) + 1);
      }
      return configuration(issued);
    },
    revokeCall(callId) {
      for (const username of [...(byCall.get(callId) ?? [])]) revoke(username);
    },
    revokeOwner(owner) {
      for (const username of [...(byOwner.get(owner) ?? [])]) revoke(username);
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
      const expiry = Math.floor(now() / 1000) + Math.min(ttlS, request.maxLifetimeS ?? ttlS);
      const username = `${expiry}:${randomBytes(USERNAME_BYTES).toString('base64url')}`;
      return {
        iceServers: [{ urls: [...options.urls], username, credential: restPassword(options.secret, username) }],
        iceTransportPolicy: request.relayOnly ? 'relay' : 'all',
      };
    },
    // The REST scheme gives no way to revoke; the expiry bounds the credential instead.
    revokeCall() {},
    revokeOwner() {},
    close() {},
  };
}

/**
 * The turn: URLs of the embedded relay. Clients need an address they can reach: the external IP
 * behind 1:1 NAT, else the TURN listening address, else (wildcard) the public URL's host.
 */
export function embeddedTurnUrls(options: {
  host: string;
  externalIp: string | null;
  publicOrigin: string;
  port: number;
  tcp: boolean;
  tlsPort?: number | null;
}): string[] {
  let host = options.externalIp ?? options.host;
  if (host === '0.0.0.0' || host === '::') host = new URL(options.publicOrigin).hostname.replace(/^\[|\]$/g, '');
  const shown = isIPv6(host) ? `[${host}]` : host;
  const urls = [`turn:${shown}:${options.port}?transport=udp`];
  if (options.tcp) urls.push(`turn:${shown}:${options.port}?transport=tcp`);
  // TLS needs the name the certificate is for: the public URL's host.
  if (options.tlsPort !== undefined && options.tlsPort !== null)
    urls.push(`turns:${new URL(options.publicOrigin).host.replace(/:\d+$/, '')}:${options.tlsPort}?transport=tcp`);
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
  return createEmbeddedCredentials({
    relay,
    urls: embeddedTurnUrls({ host: turn.host, externalIp: turn.externalIp, publicOrigin, port: relay.port, tcp: true, tlsPort: relay.tlsPort }),
  });
}
