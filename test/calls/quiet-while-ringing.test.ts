// Quiet time that starts while calls ring the member, through the real server with real
// WebSocket clients: do-not-disturb switched on, a weekly schedule starting (read with a clock
// the test sets, running at real speed), or a schedule changed to start soon. Each ringing call
// ends as if it had come in during quiet time: "unavailable" and its cool-down for the caller,
// the member's devices stop ringing, a missed call in the member's log.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, signUp, type TestMember } from '../accounts/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { A_COMMITMENT, type SignalTestClient } from '../helpers/ws.js';
import { liveCalls } from './helpers.js';

let server: TestServer;
/** The schedules' clock: `base` at the real instant `setAt`, and running at real speed from there. */
let reachClock = { base: Date.UTC(2026, 10, 30, 12, 0), setAt: Date.now() };
const calls = liveCalls(() => server);
/** Monday 30 November 2026, 21:59:57 in Paris: three seconds before the evening's quiet time. */
const JUST_BEFORE_TEN_PM_PARIS = Date.UTC(2026, 10, 30, 20, 59, 57);
/** Longer than the three seconds to 22:00, far shorter than the 45 s ring. */
const QUIET_WAIT_MS = 10_000;
const NIGHTS = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '22:00', end: '07:00', timeZone: 'Europe/Paris' };

const patchReach = async (member: TestMember, body: unknown): Promise<void> => {
  const response = await server.fetch('/api/me/reach', json(body, member.cookie, 'PATCH'));
  assert.is(response.status, 200, JSON.stringify(body));
};
const summary = (page: { calls: { direction: string; outcome: string; peer: { kind: string; name?: string } }[] }) =>
  page.calls.map((entry) => [entry.direction, entry.outcome, entry.peer.name ?? entry.peer.kind]);

/** Rings from `caller` and waits until every device of the callee rings; returns the call id. */
async function ringOn(caller: SignalTestClient, calleeMemberId: string, devices: readonly SignalTestClient[]): Promise<string> {
  caller.send({ type: 'invite', calleeMemberId, commitment: A_COMMITMENT });
  const { callId } = await caller.next('call-ringing');
  for (const device of devices) assert.is((await device.next('incoming-call')).callId, callId);
  return callId;
}

const quiet = suite('quiet time that starts while calls ring');
quiet.before.each(async () => {
  reachClock = { base: Date.UTC(2026, 10, 30, 12, 0), setAt: Date.now() };
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true, reachNowMs: () => reachClock.base + (Date.now() - reachClock.setAt) });
});
quiet.after.each(async () => {
  calls.closeAll();
  await server.close();
});

quiet('do-not-disturb switched on ends every ringing call at once as unavailable, and the member finds them missed', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const devices = [await calls.connectMember(bob, 'Bob phone'), await calls.connectMember(bob, 'Bob laptop')];
  const phone = await calls.connectMember(ada);
  const guest = await calls.connectGuest(await calls.codeOf(bob), 'Yves');
  const memberCall = await ringOn(phone, bob.id, devices);
  const guestCall = await ringOn(guest.client, bob.id, devices);

  await patchReach(bob, { dndNow: true });
  for (const [caller, callId] of [
    [phone, memberCall],
    [guest.client, guestCall],
  ] as const) {
    const ended = await caller.next('call-ended');
    assert.equal([ended.callId, ended.reason], [callId, 'unavailable'], 'told as for any quiet-time refusal');
  }
  for (const device of devices) {
    const stopped = [await device.next('call-ended'), await device.next('call-ended')].map((message) => message.callId);
    assert.equal(stopped.sort(), [memberCall, guestCall].sort(), 'every device stopped ringing both calls');
  }
  const log = await calls.callsOf(bob);
  assert.equal(summary(log), [
    ['received', 'missed', 'Yves'],
    ['received', 'missed', 'Ada Lovelace'],
  ]);
  assert.is(log.unseenMissed, 2);

  // The caller meets the cool-down that a refusal at the invite gives.
  phone.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  assert.is((await phone.next('error')).code, 'cooling_down');
});

quiet('a change that keeps the member reachable leaves the call ringing, and it can still be answered', async () => {
  const ada = await signUp(server);
  const bob = await signUp(server);
  const device = await calls.connectMember(bob);
  const phone = await calls.connectMember(ada);
  const callId = await ringOn(phone, bob.id, [device]);
  await patchReach(bob, { knockFirst: true, schedule: { ...NIGHTS, days: ['sat'] } });
  device.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  const connected = await phone.next('call-connected');
  assert.is(connected.callId, callId);
  assert.equal(
    phone.received.filter((message) => message.type === 'call-ended'),
    [],
  );
});

quiet('a weekly schedule that starts while a call rings ends it then, as unavailable', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server);
  await patchReach(bob, { schedule: NIGHTS });
  const device = await calls.connectMember(bob);
  const phone = await calls.connectMember(ada);
  reachClock = { base: JUST_BEFORE_TEN_PM_PARIS, setAt: Date.now() };
  const callId = await ringOn(phone, bob.id, [device]);
  const ended = await phone.next('call-ended', QUIET_WAIT_MS);
  assert.equal([ended.callId, ended.reason], [callId, 'unavailable']);
  assert.is((await device.next('call-ended')).callId, callId, 'the device stopped ringing');
  assert.equal(summary(await calls.callsOf(bob)), [['received', 'missed', 'Ada Lovelace']]);
});

quiet('a schedule changed while a call rings ends it when the new quiet time starts', async () => {
  const ada = await signUp(server);
  const bob = await signUp(server);
  const device = await calls.connectMember(bob);
  const phone = await calls.connectMember(ada);
  reachClock = { base: JUST_BEFORE_TEN_PM_PARIS, setAt: Date.now() };
  const callId = await ringOn(phone, bob.id, [device]);
  await patchReach(bob, { schedule: NIGHTS });
  const ended = await phone.next('call-ended', QUIET_WAIT_MS);
  assert.equal([ended.callId, ended.reason], [callId, 'unavailable']);
  assert.is((await device.next('call-ended')).callId, callId);
});

quiet.run();
