// What the call engine reads in a session description, without a browser.

/** The ICE username fragment of a description: it changes with every ICE restart. */
export function iceUfrag(sdp: string | undefined): string | null {
  return sdp === undefined ? null : (/^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? null);
}

/** How many candidates a description carries (a local one holds those gathered so far). */
export function candidateCount(sdp: string | undefined): number {
  return sdp?.match(/^a=candidate:/gm)?.length ?? 0;
}
