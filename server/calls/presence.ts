// Who has the calls page open: the hub as the signaler sees it, counting each member's open
// signaling sockets on their way in and out. Only the directory asks, and only about members who
// chose to show their presence (call-routes.ts); nothing of it is stored or logged.
import type { Hub, HubConnection } from '../signal/hub-api.js';

export type Presence = Readonly<{
  /** The hub to hand the signaler: the same hub, with its members' sockets counted. */
  hub: Hub;
  isReachable(memberId: string): boolean;
}>;

export function trackPresence(hub: Hub): Presence {
  const socketsByMember = new Map<string, number>();
  const counted: Hub = {
    ...hub,
    connect(peer, party, address) {
      const connection = hub.connect(peer, party, address);
      if (party.kind !== 'member') return connection;
      const { memberId } = party;
      socketsByMember.set(memberId, (socketsByMember.get(memberId) ?? 0) + 1);
      let open = true;
      const tracked: HubConnection = {
        id: connection.id,
        party: connection.party,
        receive: (text) => connection.receive(text),
        closed(isResumable) {
          // A socket is counted out once, whatever calls this again.
          if (open) {
            open = false;
            const left = (socketsByMember.get(memberId) ?? 1) - 1;
            if (left <= 0) socketsByMember.delete(memberId);
            else socketsByMember.set(memberId, left);
          }
          connection.closed(isResumable);
        },
      };
      return tracked;
    },
  };
  return { hub: counted, isReachable: (memberId) => (socketsByMember.get(memberId) ?? 0) > 0 };
}
