// The signaling protocol: every message a client and the server exchange over /ws, as one
// discriminated union per direction, with its version, its size limits and the parser the
// server runs on every frame. The browser imports this same module (it imports nothing from
// Node), so each message type string exists once. This file is the protocol document.
//
// A session on one socket:
//
//   client → hello {version}                     server → welcome {connectionId, self}
//   caller → invite {calleeMemberId, commitment} server → call-ringing (caller), incoming-call
//                                                         (every device of the callee), each with
//                                                         its ICE servers to prepare while it rings
//   guest  → knock {calleeMemberId, note}        the same, for a member who lets guests in one by
//                                                 one: incoming-call carries knock {note}; the
//                                                 member lets in (accept) or refuses (decline)
//   callee → accept {callId, commitment}         server → call-connected (both sides; the
//                                                         caller's carries calleeCommitment; the
//                                                         other devices get call-ended answered-elsewhere)
//   either → offer / answer / candidate          server → the same, rebuilt, stamped with `from`
//   either → connected-path {callId, path}       (nothing: the call log records whether the
//                                                 call went through the relay; see CALL_PATHS)
//   either → hang-up {callId}                    server → call-ended (both sides)
//
// A socket that drops during a connected call may come back within a grace period: the new
// socket sends hello, then resume {callId, resumeToken} (the token came in call-connected).
//
// The commitment: a client fixes the DTLS certificate it will use for every peer connection of
// the call before it invites or accepts, and sends `commitment`, the lower-case hex SHA-256 of
// "porthello-commitment-v1\n" + its fingerprint (public/ts/lib/call/verification.ts derives it
// and the security code). The callee's one reaches the caller in call-connected, before the
// caller's offer; the caller checks that the certificate the answer and the live connection
// show hashes to it. An invite carries one too because an invite that crosses the other
// member's (glare) accepts their call: the inviter is then the callee.
//
// Why it makes the security code as strong as its length: without it a middle (a compromised
// signaling server) sees the caller's fingerprint in the offer before it must choose its own
// certificates, and can try certificates until the two six-digit codes match (about 10^6
// tries). With it the middle must fix the certificate it shows the caller (its caller-side
// one) when it hands the caller a commitment, before the caller's offer reveals the caller's
// fingerprint: forwarding the callee's commitment makes the caller warn, and a commitment
// cannot be opened to another certificate. And it must fix the certificate it shows the callee
// (its callee-side one) in its offer to the callee, before the callee's answer reveals the
// callee's fingerprint, which the commitment hides. Each of the two codes then depends on a
// fingerprint the middle did not know when it fixed its own certificate on that side, so they
// match by chance only: one in 10^6, once per call. Both sides keep their certificates for the
// whole call and warn if the other side's changes, so a renegotiation gives no second try.
//
// Liveness: a page cannot see WebSocket pings, and after a move to another network its socket
// may stay "open" with nothing behind it. So it sends LIVENESS_PING now and then; the signaler
// answers LIVENESS_PONG at once (the hub never sees either), and a page that hears nothing
// within its deadline drops the socket and reconnects.

/** Bumped whenever a message changes shape; a hello with another version is refused. */
export const PROTOCOL_VERSION = 2;
/** The exact texts of the liveness check (see above): transport, not messages of the protocol. */
export const LIVENESS_PING = '{"type":"ping"}';
export const LIVENESS_PONG = '{"type":"pong"}';
/** Where the signaling WebSocket is served. */
export const SIGNAL_PATH = '/ws';
/** In the socket's URL query: a guest's socket, authenticated by the ticket of a call link. */
export const GUEST_SOCKET_QUERY = 'as=guest';
/** In the socket's URL query: the connection self-test (/test), anonymous. Such a socket only
 *  answers one LIVENESS_PING with LIVENESS_PONG and closes, never reaches the hub, and closes
 *  itself after PROBE_SOCKET_LIFETIME_MS: it proves the path to the signaler (proxy, firewall)
 *  and nothing more. */
export const PROBE_SOCKET_QUERY = 'as=probe';
/** A probe needs one round trip; a few seconds cover a slow mobile network. */
export const PROBE_SOCKET_LIFETIME_MS = 10_000;

/** The largest frame either side sends. An SDP offer with audio, video and a data channel is
 *  5–10 KB; 64 KiB leaves room for many codecs and is the bound OWASP and Nextcloud use.
 *  The server closes a socket that sends more with 1009. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** An SDP must fit in one message with its envelope. */
export const MAX_SDP_CHARS = 60 * 1024;
/** A candidate line is about 100–200 characters; addresses and extensions stay well below. */
export const MAX_CANDIDATE_CHARS = 512;
/** RFC 8839 allows an ICE ufrag up to 256 characters. */
export const MAX_USERNAME_FRAGMENT_CHARS = 256;
/** Media section identifiers ("0", "audio"…) are short; 64 is generous. */
export const MAX_SDP_MID_CHARS = 64;
/** One m-line per track plus the data channel; 64 sections is far past any real call. */
export const MAX_SDP_MLINE_INDEX = 63;
/** Call ids, member ids and guest ids: opaque, URL-safe, at most this long. */
export const MAX_ID_CHARS = 64;
/** A knock's note: a line or two ("it's about the parcel"), in code points. */
export const MAX_KNOCK_NOTE_CHARS = 140;
/** A certificate commitment: the hex digits of one SHA-256 (32 bytes), lower case. */
export const COMMITMENT_HEX_CHARS = 64;
/** Resume tokens are 32 URL-safe characters (24 random bytes); a little slack for the future. */
export const MAX_TOKEN_CHARS = 64;

/** Close codes the server uses; 4000–4999 are Porthello's own. A client reconnects after
 *  1001, 1006 and 1011, and never after the codes that say reconnecting cannot help. */
export const CLOSE_CODES = {
  /** The server is shutting down or restarting: reconnect with backoff. */
  goingAway: 1001,
  /** A binary frame: the protocol is JSON text only. */
  unsupportedData: 1003,
  /** A malformed or out-of-order message: a client bug. */
  policyViolation: 1008,
  /** A frame larger than MAX_MESSAGE_BYTES (ws closes with it itself). */
  messageTooBig: 1009,
  /** Something broke on the server. */
  internalError: 1011,
  /** The client speaks another protocol version: reload the page, do not reconnect. */
  unsupportedVersion: 4000,
  /** The session ended (log-out, password change, account deleted): do not reconnect. */
  sessionEnded: 4001,
  /** No hello arrived in time. */
  helloTimeout: 4002,
  /** Too many messages: a client bug or abuse. */
  rateLimited: 4029,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** Who someone is, as the other side of a call sees them. A guest's id is opaque and random. */
export type PartyView = { kind: 'member'; memberId: string; displayName: string } | { kind: 'guest'; guestId: string; displayName: string };

/** What RTCPeerConnection needs; credentials are minted for one call and one party. */
export type IceServer = { urls: string[]; username?: string; credential?: string };
export type IceConfig = { iceServers: IceServer[]; iceTransportPolicy: 'all' | 'relay' };

/** Why a call ended, as both sides are told. */
export const END_REASONS = [
  'hung-up',
  'declined',
  'busy',
  'cancelled',
  'no-answer',
  /** The callee has no device online. */
  'unavailable',
  /** Another device of the callee accepted. */
  'answered-elsewhere',
  /** The other side's socket closed or stopped answering and did not come back in time. */
  'peer-gone',
  'server-shutdown',
] as const;
export type EndReason = (typeof END_REASONS)[number];

/** Refusals: the request was understood and turned down; the socket stays open. */
export const REFUSAL_CODES = [
  'already_in_call',
  'cannot_call_self',
  'not_allowed',
  'unknown_member',
  'not_in_call',
  'cannot_resume',
  'unsupported_version',
  /** A capacity bound was reached (the relay's credential table is full): try again later. */
  'unavailable',
  /** This client asked too often (invites per caller, per link, per address). */
  'rate_limited',
  /** This member declined, did not answer or was unavailable a moment ago: ring again later. */
  'cooling_down',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/**
 * The path a connected call's media takes, as a browser reads it from its selected candidate
 * pair: straight between the two browsers, or through the TURN relay. Each side says so when
 * its connection is first up and whenever the path changes; the call's log rows keep
 * "relayed" if it ever went through the relay, for the organisation's statistics. Only the
 * kind of path crosses, never a candidate or an address.
 */
export const CALL_PATHS = ['direct', 'relayed'] as const;
export type CallPath = (typeof CALL_PATHS)[number];

/** An ICE candidate as RTCIceCandidateInit carries it; `candidate: ""` is end-of-candidates. */
export type CandidateFields = {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
  usernameFragment: string | null;
};

export type ClientMessage =
  /** Opens every session; nothing else is accepted before it. */
  | { type: 'hello'; version: number }
  /** Rings a member on every device they have online; `commitment` (see above) is used if the invite accepts a crossing call. */
  | { type: 'invite'; calleeMemberId: string; commitment: string }
  /** A guest rings a member who asked guests to knock first, with an optional short note ('' for none).
   *  To a member who does not, it rings like an invite; a guest's invite to one who does is a knock without a note. */
  | { type: 'knock'; calleeMemberId: string; note: string }
  /** The callee takes the call on this device; the first device to accept wins. `commitment`: see above. */
  | { type: 'accept'; callId: string; commitment: string }
  /** The callee turns the call down (on every device). */
  | { type: 'decline'; callId: string }
  /** The caller gives up before an answer. */
  | { type: 'cancel'; callId: string }
  /** Either side ends a call (a caller's hang-up while ringing is a cancel, a callee's a decline). */
  | { type: 'hang-up'; callId: string }
  /** Rebinds a live call to this socket after a reconnect. */
  | { type: 'resume'; callId: string; resumeToken: string }
  /** Where this side's media goes now that it is connected (see CALL_PATHS). */
  | { type: 'connected-path'; callId: string; path: CallPath }
  /** An SDP offer; `iceRestart` marks the offer of an ICE restart. */
  | { type: 'offer'; callId: string; sdp: string; iceRestart: boolean }
  | { type: 'answer'; callId: string; sdp: string }
  | ({ type: 'candidate'; callId: string } & CandidateFields);

export type ServerMessage =
  /** Answers hello: the protocol version and who the server takes this socket to be. */
  | { type: 'welcome'; version: number; connectionId: string; self: PartyView }
  /** A refusal; `callId` when it concerns a call; `retryAfterS` when asking again later can succeed. */
  | { type: 'error'; code: RefusalCode; message: string; callId?: string; retryAfterS?: number }
  /** To the caller: the callee's devices are ringing. `ice`: the relay servers the caller will
   *  have in this call, to prepare its offer with while it rings (absent when the relay could not
   *  mint them then); nothing of it leaves before call-connected. */
  | { type: 'call-ringing'; callId: string; callee: PartyView; ice?: IceConfig }
  /** To each device of the callee; `knock` when a guest knocks (the member lets them in by accepting).
   *  `ice`: the relay servers the device will have in this call, for gathering while it rings
   *  (absent when the relay could not mint them then: the device gathers after accepting). */
  | { type: 'incoming-call'; callId: string; caller: PartyView; knock?: { note: string }; ice?: IceConfig }
  /** To both sides once a device accepted, and again to a socket that resumed the call. The
   *  caller makes the offer. `resumeToken` lets this device take the call back after a reconnect.
   *  `calleeCommitment`, in the caller's message only: the commitment the callee accepted with. */
  | {
      type: 'call-connected';
      callId: string;
      role: 'caller' | 'callee';
      peer: PartyView;
      ice: IceConfig;
      resumeToken: string;
      resumed: boolean;
      calleeCommitment?: string;
    }
  /** The other side's socket dropped; the call waits for it to come back. */
  | { type: 'peer-away'; callId: string }
  /** The other side came back; expect an ICE restart. */
  | { type: 'peer-back'; callId: string }
  | { type: 'call-ended'; callId: string; reason: EndReason }
  | { type: 'offer'; callId: string; from: PartyView; sdp: string; iceRestart: boolean }
  | { type: 'answer'; callId: string; from: PartyView; sdp: string }
  | ({ type: 'candidate'; callId: string; from: PartyView } & CandidateFields);

export type ClientMessageType = ClientMessage['type'];
export type ServerMessageType = ServerMessage['type'];

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; reason: string };

type FieldCheck = (value: unknown) => boolean;

const ID = /^[A-Za-z0-9_-]+$/;
const isId: FieldCheck = (value) => typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_CHARS && ID.test(value);
const isToken: FieldCheck = (value) => typeof value === 'string' && value.length > 0 && value.length <= MAX_TOKEN_CHARS && ID.test(value);
const isSdp: FieldCheck = (value) => typeof value === 'string' && value.length > 0 && value.length <= MAX_SDP_CHARS;
const COMMITMENT = new RegExp(`^[0-9a-f]{${COMMITMENT_HEX_CHARS}}$`);
const isCommitment: FieldCheck = (value) => typeof value === 'string' && COMMITMENT.test(value);
const isBoolean: FieldCheck = (value) => typeof value === 'boolean';
const isVersion: FieldCheck = (value) => Number.isSafeInteger(value) && (value as number) >= 0;
const orNull =
  (check: FieldCheck): FieldCheck =>
  (value) =>
    value === null || check(value);
const isShortString =
  (max: number): FieldCheck =>
  (value) =>
    typeof value === 'string' && value.length <= max;
/** Control characters and bidirectional overrides would let a note disguise itself on the member's screen. */
const HIDDEN_CHARACTERS = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const isKnockNote: FieldCheck = (value) => typeof value === 'string' && [...value].length <= MAX_KNOCK_NOTE_CHARS && !HIDDEN_CHARACTERS.test(value);
const isCallPath: FieldCheck = (value) => (CALL_PATHS as readonly unknown[]).includes(value);
const isMLineIndex: FieldCheck = (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_SDP_MLINE_INDEX;

/** For each client message type, every field it has (all required) and its check. Nothing else is accepted. */
const CLIENT_FIELDS: { readonly [T in ClientMessageType]: { readonly [K in Exclude<keyof Extract<ClientMessage, { type: T }>, 'type'>]-?: FieldCheck } } = {
  hello: { version: isVersion },
  invite: { calleeMemberId: isId, commitment: isCommitment },
  knock: { calleeMemberId: isId, note: isKnockNote },
  accept: { callId: isId, commitment: isCommitment },
  decline: { callId: isId },
  cancel: { callId: isId },
  'hang-up': { callId: isId },
  resume: { callId: isId, resumeToken: isToken },
  'connected-path': { callId: isId, path: isCallPath },
  offer: { callId: isId, sdp: isSdp, iceRestart: isBoolean },
  answer: { callId: isId, sdp: isSdp },
  candidate: {
    callId: isId,
    candidate: isShortString(MAX_CANDIDATE_CHARS),
    sdpMid: orNull(isShortString(MAX_SDP_MID_CHARS)),
    sdpMLineIndex: orNull(isMLineIndex),
    usernameFragment: orNull(isShortString(MAX_USERNAME_FRAGMENT_CHARS)),
  },
};

/** Parses one text frame into a client message, or says why it is not one: not JSON, not an
 *  object, an unknown type, a missing, extra or ill-typed field, or a value over its limit. */
export function parseClientMessage(text: string): ParseResult {
  // Characters, not bytes: the socket layer already bounds bytes; this bounds what reaches JSON.parse.
  if (text.length > MAX_MESSAGE_BYTES) return { ok: false, reason: 'message too long' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not an object' };
  const record = value as Record<string, unknown>;
  const type = record['type'];
  if (typeof type !== 'string' || !Object.hasOwn(CLIENT_FIELDS, type)) return { ok: false, reason: 'unknown message type' };
  const fields = CLIENT_FIELDS[type as ClientMessageType] as Readonly<Record<string, FieldCheck>>;
  for (const key of Object.keys(record)) {
    // The reason names no client-chosen text: it ends up in a close frame and in the log.
    if (key !== 'type' && !Object.hasOwn(fields, key)) return { ok: false, reason: `unexpected field in ${type}` };
  }
  for (const [key, check] of Object.entries(fields)) {
    if (!Object.hasOwn(record, key) || !check(record[key])) return { ok: false, reason: `bad or missing field ${key} in ${type}` };
  }
  return { ok: true, message: record as ClientMessage };
}

/** The candidate type of an ICE candidate line ("host", "srflx", "prflx", "relay"), or null
 *  when the line does not follow RFC 8839: foundation component transport priority address
 *  port "typ" type …, optionally prefixed by "candidate:". */
export function candidateTypeOf(candidate: string): string | null {
  const body = candidate.startsWith('a=') ? candidate.slice(2) : candidate;
  if (!body.startsWith('candidate:')) return null;
  const tokens = body.slice('candidate:'.length).trim().split(/\s+/);
  if (tokens.length < 8 || tokens[6] !== 'typ') return null;
  return tokens[7] ?? null;
}
