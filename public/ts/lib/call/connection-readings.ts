// What a live call connection reports through getStats, read the same way in Chromium and
// Firefox: the path its media takes, the certificates its handshake used, and the counts the
// quality assessment works from. CallConnection answers with these.
import type { CallPath } from '../../../../server/signal/protocol.js';
import type { QualityReading } from './quality.js';
import { type ConnectionFingerprints, fingerprintOfDescription, fingerprintsOfStats, type StatsReport } from './verification.js';

/** Whether the live path goes through a TURN relay, read from the selected candidate pair. */
export async function pathOf(pc: RTCPeerConnection): Promise<{ kind: CallPath; local: string; remote: string } | null> {
  const stats = await pc.getStats();
  type PairReport = { type: string; localCandidateId: string; remoteCandidateId: string; selected?: boolean };
  let pair: PairReport | undefined;
  stats.forEach((report: { type: string; selectedCandidatePairId?: string; selected?: boolean }) => {
    if (report.type === 'transport' && report.selectedCandidatePairId !== undefined) pair = stats.get(report.selectedCandidatePairId) as PairReport | undefined;
    // Firefox has no transport report: it marks the pair in use as selected.
    else if (pair === undefined && report.type === 'candidate-pair' && report.selected === true) pair = report as PairReport;
  });
  if (pair === undefined) return null;
  const local = (stats.get(pair.localCandidateId) as { candidateType?: string } | undefined)?.candidateType ?? 'unknown';
  const remote = (stats.get(pair.remoteCandidateId) as { candidateType?: string } | undefined)?.candidateType ?? 'unknown';
  return { kind: local === 'relay' || remote === 'relay' ? 'relayed' : 'direct', local, remote };
}

/**
 * The two DTLS certificate fingerprints of the live connection, for the verification code:
 * from getStats (what the handshake actually used), else from the negotiated descriptions.
 * Null until the handshake is done.
 */
export async function fingerprintsOf(pc: RTCPeerConnection): Promise<ConnectionFingerprints | null> {
  const stats = await pc.getStats();
  const fromStats = fingerprintsOfStats(stats.values() as Iterable<StatsReport>, (id) => stats.get(id) as StatsReport | undefined);
  if (fromStats !== null) return fromStats;
  if (pc.connectionState !== 'connected') return null;
  const local = fingerprintOfDescription(pc.currentLocalDescription?.sdp);
  const remote = fingerprintOfDescription(pc.currentRemoteDescription?.sdp);
  return local === null || remote === null ? null : { local, remote };
}

/** Packets received and lost (every incoming stream together) and the round trip, for assessQuality. */
export async function qualityReadingOf(pc: RTCPeerConnection): Promise<QualityReading> {
  const stats = await pc.getStats();
  const reading: QualityReading = { packetsReceived: 0, packetsLost: 0, roundTripMs: null };
  type Report = {
    type: string;
    packetsReceived?: number;
    packetsLost?: number;
    nominated?: boolean;
    selected?: boolean;
    state?: string;
    currentRoundTripTime?: number;
  };
  stats.forEach((report: Report) => {
    if (report.type === 'inbound-rtp') {
      reading.packetsReceived += report.packetsReceived ?? 0;
      reading.packetsLost += report.packetsLost ?? 0;
    } else if (
      report.type === 'candidate-pair' &&
      report.currentRoundTripTime !== undefined &&
      (report.selected === true || (report.nominated === true && report.state === 'succeeded'))
    ) {
      // The pair in use (Firefox marks it selected; Chromium's is the nominated one that succeeded).
      reading.roundTripMs = Math.max(reading.roundTripMs ?? 0, report.currentRoundTripTime * 1000);
    }
  });
  return reading;
}
