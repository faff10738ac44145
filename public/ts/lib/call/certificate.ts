// This side's DTLS certificate for one call, made before the call is placed or taken: the
// commitment to it goes with the invite or the accept, and every peer connection of the call
// uses it (verification.ts says why). A fresh one per call: a certificate the server saw in an
// earlier call would let it prepare its own in advance.
import type { CallKey } from './ports.js';
import { commitmentOf, type Fingerprint, fingerprintOfDescription, normalizeFingerprint } from './verification.js';

/** ECDSA P-256: what browsers make for themselves, quick to generate, and accepted by every WebRTC stack. */
const KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
/** The hash both browsers use in a=fingerprint, hence the one the other side's check reads. */
const FINGERPRINT_ALGORITHM = 'sha-256';

export type BrowserCallKey = CallKey & { readonly certificate: RTCCertificate; readonly fingerprint: Fingerprint };

/** A new certificate for one call, its fingerprint and the commitment to it; null (and why in the console) when this browser cannot make one. */
export function prepareCallKey(): Promise<BrowserCallKey | null> {
  return makeCallKey().catch((problem: unknown) => {
    console.warn('call: no certificate', problem);
    return null;
  });
}

async function makeCallKey(): Promise<BrowserCallKey> {
  const certificate = await RTCPeerConnection.generateCertificate(KEY_ALGORITHM);
  const fingerprint = fingerprintOfCertificate(certificate) ?? (await fingerprintFromOffer(certificate));
  return { certificate, fingerprint, commitment: await commitmentOf(fingerprint, crypto.subtle) };
}

/** From getFingerprints() (Chromium); null where the browser does not have it (Firefox ESR). */
function fingerprintOfCertificate(certificate: RTCCertificate): Fingerprint | null {
  const all = typeof certificate.getFingerprints === 'function' ? certificate.getFingerprints() : [];
  const found = all.find((one) => one.algorithm?.toLowerCase() === FINGERPRINT_ALGORITHM);
  if (found?.algorithm === undefined || found.value === undefined) return null;
  const fingerprint = { algorithm: found.algorithm, value: found.value };
  return normalizeFingerprint(fingerprint) === null ? null : fingerprint;
}

/** The a=fingerprint of an offer made, and thrown away, by a connection holding the certificate. */
async function fingerprintFromOffer(certificate: RTCCertificate): Promise<Fingerprint> {
  const pc = new RTCPeerConnection({ certificates: [certificate] });
  try {
    // A data section, so that the offer has a transport and thus a fingerprint.
    pc.createDataChannel('fingerprint');
    const offer = await pc.createOffer();
    const fingerprint = fingerprintOfDescription(offer.sdp);
    if (fingerprint === null) throw new Error('the offer names no certificate fingerprint');
    return fingerprint;
  } finally {
    pc.close();
  }
}
