// The call's chat channel: negotiated, so both sides open it with the same id and neither waits
// for the other's; the caller's is made with its offer while the call rings (warm-up.ts).

/** Both sides create the chat channel with this id. */
const CHAT_CHANNEL_ID = 0;

export function openChatChannel(pc: RTCPeerConnection): RTCDataChannel {
  return pc.createDataChannel('chat', { negotiated: true, id: CHAT_CHANNEL_ID, ordered: true });
}
