// What each side tells the other about its own microphone and camera, over the call's chat data
// channel (browser to browser, like chat).
//
// Why a message rather than reading the received tracks: a muted microphone is a disabled track,
// which still sends silence, so the receiver cannot tell it from a quiet room; a camera turned
// off is a sender with no track, which the receiver only sees as frames stopping (its track's
// "mute" comes late, at a different delay in each browser, and looks the same as a network
// stall). Only the sender knows, so it says so. Nothing here touches the DOM: the Node tests
// check the validation.

/** Our side's media as the other side should show it. */
export type PeerMediaState = {
  /** The microphone is muted (or there is none). */
  muted: boolean;
  /** Some video is sent: the camera or a shared screen. */
  video: boolean;
  /** The video sent is a shared screen, to be shown whole. */
  screen: boolean;
};

/** A state message is a few flags; anything longer is not one. */
export const STATE_MESSAGE_MAX_CHARS = 200;

export function stateMessage(state: PeerMediaState): string {
  return JSON.stringify({ kind: 'state', muted: state.muted, video: state.video, screen: state.screen });
}

/** The state carried by an already parsed data channel message; null when it is not a valid one. */
export function parseState(parsed: unknown): PeerMediaState | null {
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { kind, muted, video, screen } = parsed as Record<string, unknown>;
  if (kind !== 'state' || typeof muted !== 'boolean' || typeof video !== 'boolean' || typeof screen !== 'boolean') return null;
  return { muted, video, screen: video && screen };
}
