// The hub with fake peers, a fake clock and in-memory seams, as the hub suites drive it.
import { createLogger } from '../../server/log.js';
import type { MemberProfile, Party } from '../../server/signal/deps.js';
import { createHub } from '../../server/signal/hub.js';
import type { HubTiming } from '../../server/signal/hub-api.js';
import type { RingLimits } from '../../server/signal/ring-guard.js';
import { PROTOCOL_VERSION, type ClientMessage } from '../../server/signal/protocol.js';
import { createCallLog, createFakeClock, createFakePeer, createIceProvider, createMemberDirectory, guest, linkCodeOf, member, type FakePeer } from './fakes.js';
import { A_COMMITMENT } from '../helpers/ws.js';

export const profiles: MemberProfile[] = [
  { memberId: 'alice', displayName: 'Alice Martin', guestFacingName: 'Alice', prefersRelayOnly: false, guestLinkCode: linkCodeOf('alice') },
  { memberId: 'bob', displayName: 'Bob Durand', guestFacingName: 'Bob', prefersRelayOnly: false, guestLinkCode: linkCodeOf('bob') },
  { memberId: 'carol', displayName: 'Carol Petit', guestFacingName: 'Carol', prefersRelayOnly: false, guestLinkCode: linkCodeOf('carol') },
  { memberId: 'dan', displayName: 'Dan Roux', guestFacingName: 'Dan', prefersRelayOnly: true, guestLinkCode: linkCodeOf('dan') },
];
export const alice = member('alice', 'Alice Martin');
export const bob = member('bob', 'Bob Durand');
export const carol = member('carol', 'Carol Petit');
export const dan = member('dan', 'Dan Roux');
export const zoe = guest('g-zoe', 'Zoé', 'bob');

export type Device = { peer: FakePeer; send(message: ClientMessage): void; receive(text: string): void; closed(isResumable: boolean): void };

export function setup(timing: Partial<HubTiming> = {}, ringLimits: Partial<RingLimits> = {}) {
  const clock = createFakeClock();
  const callLog = createCallLog();
  const ice = createIceProvider();
  const members = createMemberDirectory(profiles.map((profile) => ({ ...profile })));
  const logs: string[] = [];
  const hub = createHub({ members, callLog, ice, clock, timing, ringLimits, log: createLogger({ level: 'debug', write: (line) => logs.push(line) }) });
  const open = (party: Party, options: { greet?: boolean; address?: string } = {}): Device => {
    const peer = createFakePeer();
    const conn = hub.connect(peer, party, options.address ?? null);
    const device: Device = {
      peer,
      send: (message) => conn.receive(JSON.stringify(message)),
      receive: (text) => conn.receive(text),
      closed: (isResumable) => conn.closed(isResumable),
    };
    if (options.greet !== false) device.send({ type: 'hello', version: PROTOCOL_VERSION });
    return device;
  };
  /** Alice rings Bob, who has two devices; returns the call id. */
  const ringBob = () => {
    const caller = open(alice);
    const phone = open(bob);
    const laptop = open(bob);
    caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
    const callId = caller.peer.last('call-ringing').callId;
    return { caller, phone, laptop, callId };
  };
  const connectCall = () => {
    const ringing = ringBob();
    ringing.phone.send({ type: 'accept', callId: ringing.callId, commitment: A_COMMITMENT });
    return ringing;
  };
  return { clock, callLog, ice, members, hub, logs, open, ringBob, connectCall };
}
