// The call's verification code: what the two people read aloud to each other to make sure
// nobody sits between their browsers. This file is the protocol both browsers follow; it
// touches neither the DOM nor WebRTC, so the Node tests check it against known values.
//
// Why: each browser proves its DTLS certificate during the handshake, and the other side
// accepts it only if it matches the fingerprint (`a=fingerprint`) of the description it got
// through the signaling server. A compromised server could hand each side a fingerprint of its
// own and relay the media between two DTLS connections. Each side then sees a different pair of
// fingerprints: its own and the middle's. A code made from both fingerprints of the live
// connection differs between the two screens exactly when somebody is in the middle.
//
// Derivation (version 1):
//   1. Each side takes the two fingerprints of its live DTLS transport: its own certificate's
//      and the other side's, from getStats (the selected transport's localCertificateId and
//      remoteCertificateId), else from the a=fingerprint lines of the current local and remote
//      descriptions (Firefox 153 reports no certificate stats; the descriptions hold the
//      fingerprints the handshake was checked against, so both sources agree). Each becomes
//      `<algorithm> <HEX:HEX:…>`: algorithm in lower case, hex pairs in upper case joined by
//      colons (the form of RFC 8122, which both sources use).
//   2. The two are sorted (UTF-16 code unit order) so both sides feed the same text whoever
//      called: "porthello-verification-v1\n" + first + "\n" + second.
//   3. SHA-256 of its UTF-8 bytes; the first 8 bytes, as a big-endian unsigned integer, modulo
//      1 000 000 give six digits (the bias of 2^64 mod 10^6 is below 10^-13), written as two
//      groups of three separated by a space: "048 213".
//
// Why six digits rather than words: the two people may read the page in different languages
// (a French member, an English guest), and digits read the same in both; a group of three is
// easy to say and to hear on a poor line.
//
// The commitment (protocol version 2): on its own the code could be beaten, because the offer
// reveals the caller's fingerprint before the middle must choose its certificates, so a
// purpose-built middle could try certificates until its two codes match (six digits: about a
// million tries). So each side fixes one certificate for the whole call before it invites or
// accepts (RTCPeerConnection.generateCertificate, kept for every peer connection of the call),
// and the callee's accept carries `commitmentOf` its fingerprint: hex SHA-256 of
// "porthello-commitment-v1\n" + the fingerprint in the normalised form above. The server hands
// it to the caller in call-connected, before the caller's offer. The caller's screen shows the
// code only while the other side's certificate on the live connection hashes to it; either
// side's screen shows it only while that certificate is the one it first saw in this call.
// Otherwise it shows a warning instead of the code, for the rest of the call: someone is in the
// middle. server/signal/protocol.ts explains why the code is then as strong as its length.

/** Separates this use of SHA-256 from any other, and names the derivation's version. */
export const VERIFICATION_CODE_LABEL = 'porthello-verification-v1';
/** Separates the commitment's use of SHA-256 from the code's, and names its version. */
export const COMMITMENT_LABEL = 'porthello-commitment-v1';
/** Six digits: 10^6 codes. */
export const VERIFICATION_CODE_DIGITS = 6;

/** One DTLS certificate fingerprint, as getStats (RTCCertificateStats) or a=fingerprint give it. */
export type Fingerprint = { algorithm: string; value: string };

/** The two fingerprints of one side's live connection. */
export type ConnectionFingerprints = { local: Fingerprint; remote: Fingerprint };

/** The hash function the code needs: the browser's and Node's crypto.subtle both fit. */
export type Digest = { digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> };

const FINGERPRINT_VALUE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/;
const ALGORITHM = /^[A-Za-z0-9-]{1,16}$/;

/** `<algorithm> <HEX:HEX:…>`, the one form both sides hash; null for anything that is not a fingerprint. */
export function normalizeFingerprint(fingerprint: Fingerprint): string | null {
  const algorithm = fingerprint.algorithm.trim();
  const value = fingerprint.value.trim();
  if (!ALGORITHM.test(algorithm) || !FINGERPRINT_VALUE.test(value)) return null;
  return `${algorithm.toLowerCase()} ${value.toUpperCase()}`;
}

/** The six digits of a connection, the same on both sides when they see the same two certificates. */
export async function verificationCode(fingerprints: ConnectionFingerprints, digest: Digest): Promise<string> {
  const local = normalizeFingerprint(fingerprints.local);
  const remote = normalizeFingerprint(fingerprints.remote);
  if (local === null || remote === null) throw new Error('not a certificate fingerprint');
  const [first, second] = [local, remote].sort();
  const input = new TextEncoder().encode(`${VERIFICATION_CODE_LABEL}\n${first}\n${second}`);
  const hash = new DataView(await digest.digest('SHA-256', input));
  // The first 8 bytes: 64 bits make the modulo's bias negligible.
  const number = hash.getBigUint64(0) % 10n ** BigInt(VERIFICATION_CODE_DIGITS);
  const digits = number.toString().padStart(VERIFICATION_CODE_DIGITS, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}

/** The first a=fingerprint of a description (session or media level: with one bundled transport they are the same). */
export function fingerprintOfDescription(sdp: string | undefined): Fingerprint | null {
  const match = sdp === undefined ? null : /^a=fingerprint:(\S+) (\S+)\s*$/m.exec(sdp);
  if (match === null) return null;
  const fingerprint = { algorithm: match[1] ?? '', value: match[2] ?? '' };
  return normalizeFingerprint(fingerprint) === null ? null : fingerprint;
}

/** What getStats reports, reduced to the fields read here. */
export type StatsReport = {
  type: string;
  id?: string;
  selectedCandidatePairId?: string;
  dtlsState?: string;
  localCertificateId?: string;
  remoteCertificateId?: string;
  fingerprint?: string;
  fingerprintAlgorithm?: string;
};

/**
 * The fingerprints of the transport in use: the one whose DTLS handshake is done (with one
 * bundled transport there is one). Null when the browser reports no certificates.
 */
export function fingerprintsOfStats(reports: Iterable<StatsReport>, get: (id: string) => StatsReport | undefined): ConnectionFingerprints | null {
  for (const report of reports) {
    if (report.type !== 'transport' || report.localCertificateId === undefined || report.remoteCertificateId === undefined) continue;
    if (report.dtlsState !== undefined && report.dtlsState !== 'connected') continue;
    const local = certificateFingerprint(get(report.localCertificateId));
    const remote = certificateFingerprint(get(report.remoteCertificateId));
    if (local !== null && remote !== null) return { local, remote };
  }
  return null;
}

function certificateFingerprint(report: StatsReport | undefined): Fingerprint | null {
  if (report?.type !== 'certificate' || report.fingerprint === undefined || report.fingerprintAlgorithm === undefined) return null;
  const fingerprint = { algorithm: report.fingerprintAlgorithm, value: report.fingerprint };
  return normalizeFingerprint(fingerprint) === null ? null : fingerprint;
}

/** The commitment to a certificate: lower-case hex of SHA-256("porthello-commitment-v1\n" + the normalised fingerprint). */
export async function commitmentOf(fingerprint: Fingerprint, digest: Digest): Promise<string> {
  const normalized = normalizeFingerprint(fingerprint);
  if (normalized === null) throw new Error('not a certificate fingerprint');
  const hash = await digest.digest('SHA-256', new TextEncoder().encode(`${COMMITMENT_LABEL}\n${normalized}`));
  return [...new Uint8Array(hash)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * What the screen may show for the live connection: its code, or why it must not. `commitment`:
 * the other side's certificate is not the one the callee committed to (or no commitment came);
 * `changed`: it is not the one this call first connected with.
 */
export type Verdict = { trusted: true; code: string } | { trusted: false; reason: 'commitment' | 'changed' };

/**
 * Checks each reading of one call's connection. A verdict against the connection stays for the
 * rest of the call: a middle must not be able to clear the warning by stepping aside.
 */
export class CallVerifier {
  private readonly calleeCommitment: string | null;
  private readonly isCaller: boolean;
  private readonly digest: Digest;
  private firstRemote: string | null = null;
  private failure: Verdict | null = null;

  /** The caller's side gets the callee's commitment (null if none came: that is a failure too); the callee's side none. */
  constructor(side: { role: 'caller'; calleeCommitment: string | null } | { role: 'callee' }, digest: Digest) {
    this.isCaller = side.role === 'caller';
    this.calleeCommitment = side.role === 'caller' ? side.calleeCommitment : null;
    this.digest = digest;
  }

  async check(fingerprints: ConnectionFingerprints): Promise<Verdict> {
    if (this.failure !== null) return this.failure;
    const remote = normalizeFingerprint(fingerprints.remote);
    if (remote === null) throw new Error('not a certificate fingerprint');
    if (this.isCaller && (this.calleeCommitment === null || (await commitmentOf(fingerprints.remote, this.digest)) !== this.calleeCommitment)) {
      return this.fail('commitment');
    }
    this.firstRemote ??= remote;
    if (remote !== this.firstRemote) return this.fail('changed');
    return { trusted: true, code: await verificationCode(fingerprints, this.digest) };
  }

  private fail(reason: 'commitment' | 'changed'): Verdict {
    this.failure = { trusted: false, reason };
    return this.failure;
  }
}
