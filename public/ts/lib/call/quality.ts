// The connection's quality in plain words, from two readings of getStats a few seconds apart:
// the share of incoming packets lost between them, and the round trip of the path in use.
// Nothing here touches the DOM or WebRTC, so the Node tests check the thresholds.

/** What one getStats reading gives: totals since the call started, and the latest round trip. */
export type QualityReading = {
  packetsReceived: number;
  packetsLost: number;
  /** The selected candidate pair's current round trip, null when the browser has none yet. */
  roundTripMs: number | null;
};

export type Quality = 'good' | 'poor' | 'bad';

/** Past this share of packets lost, sound crackles and the picture smears. */
export const POOR_LOSS_RATIO = 0.03;
/** Past this, words are lost and the picture freezes. */
export const BAD_LOSS_RATIO = 0.1;
/** Past this round trip, people start talking over each other. */
export const POOR_ROUND_TRIP_MS = 400;
/** Past this, a conversation barely works. */
export const BAD_ROUND_TRIP_MS = 1000;
/** Fewer packets than this between readings say nothing about loss (a muted, camera-off side sends little). */
export const MIN_PACKETS_FOR_LOSS = 50;

/** The quality between two readings; the first reading of a call is compared with nothing (all zero). */
export function assessQuality(before: QualityReading | null, now: QualityReading): Quality {
  const received = now.packetsReceived - (before?.packetsReceived ?? 0);
  const lost = Math.max(0, now.packetsLost - (before?.packetsLost ?? 0));
  const expected = received + lost;
  const lossRatio = expected >= MIN_PACKETS_FOR_LOSS ? lost / expected : 0;
  const roundTrip = now.roundTripMs ?? 0;
  if (lossRatio >= BAD_LOSS_RATIO || roundTrip >= BAD_ROUND_TRIP_MS) return 'bad';
  if (lossRatio >= POOR_LOSS_RATIO || roundTrip >= POOR_ROUND_TRIP_MS) return 'poor';
  return 'good';
}
