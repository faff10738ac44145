// Shapes of the browser objects that code passed to page.evaluate reads. That code runs in the
// page, but the Node program that type-checks it has no DOM types, so each shape names only the
// fields the suites use.

/** An entry of an RTCStatsReport; fields a given entry type lacks are undefined. */
export type PageStats = {
  type: string;
  kind: string;
  bytesReceived: number;
  framesDecoded?: number;
  selectedCandidatePairId?: string;
};

export type PageTrack = { id: string; kind: string; readyState: string; enabled: boolean };

export type PageDevice = { kind: string; deviceId: string };

/** A signaling message as the engine tests carry it between two pages. */
export type PageSignal = { kind: 'description' | 'candidate'; description: { type: string }; candidate: unknown };

export type PageStream = { getTracks(): PageTrack[] };

export type PageSender = { track: PageTrack | null };

export type PageNode = { textContent: string | null };
