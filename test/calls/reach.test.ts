// Who may ring a member, through the real server with real WebSocket clients: do-not-disturb now
// and by a weekly schedule in a time zone (the schedule read with a clock the test sets), blocked
// members and guests, the directory's presence, and callers told "unavailable" the same way
// whatever the reason.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, signUp, withCookie, type TestMember } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import type { SignalTestClient } from '../helpers/ws.js';
import { liveCalls } from './helpers.js';
import { A_COMMITMENT } from '../helpers/ws.js';

let server: TestServer;
/** The instant the schedules are read at; each test sets it. */
let nowMs = Date.UTC(2026, 10, 30, 12, 0);
const calls = liveCalls(() => server);

const patchReach = (member: TestMember, body: unknown) => server.fetch('/api/me/reach', json(body, member.cookie, 'PATCH'));
const block = (member: TestMember, body: unknown) => server.fetch('/api/me/blocks', json(body, member.cookie));
const blocksOf = async (member: TestMember) => jsonOf(await server.fetch('/api/me/blocks', withCookie(member.cookie)));
const summary = (page: { calls: { direction: string; outcome: string; peer: { kind: string; name?: string } }[] }) =>
  page.calls.map((entry) => [entry.direction, entry.outcome, entry.peer.name ?? entry.peer.kind]);

/** Waits until everything the server sent this socket so far has arrived: a request it answers
 *  on the same socket (a resume of no call) comes back after anything sent before it. */
async function drained(client: SignalTestClient): Promise<void> {
  client.send({ type: 'resume', callId: 'no-such-call', resumeToken: 'no-such-token' });
  const refusal = await client.next('error');
  assert.is(refusal.code, 'cannot_resume');
}

/** Rings and returns what the caller was told, without the call's random id. */
async function ringAndHear(caller: SignalTestClient, calleeMemberId: string): Promise<unknown> {
  caller.send({ type: 'invite', calleeMemberId, commitment: A_COMMITMENT });
  const ended = await caller.next('call-ended');
  return { type: ended.type, reason: ended.reason };
}

/** Rings a member whose device is connected but who may not be rung: returns what the caller
 *  was told, and checks that the device heard nothing of it. */
async function ringUnheard(caller: SignalTestClient, calleeMemberId: string, device: SignalTestClient): Promise<unknown> {
  const from = device.received.length;
  const heard = await ringAndHear(caller, calleeMemberId);
  await drained(device);
  assert.equal(
    device.received.slice(from).filter((message) => message.type === 'incoming-call'),
    [],
    'no device of the member rang',
  );
  return heard;
}

const reach = suite('who may ring a member');
reach.before.each(async () => {
  nowMs = Date.UTC(2026, 10, 30, 12, 0);
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_RING_COOLDOWN_S: '0' }, signaling: true, reachNowMs: () => nowMs });
});
reach.after.each(async () => {
  calls.closeAll();
  await server.close();
});

reach('do-not-disturb now: the caller hears unavailable, nothing rings, the member finds a missed call', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const saved = await patchReach(bob, { dndNow: true });
  assert.is(saved.status, 200);
  assert.is((await jsonOf(saved)).quietNow, true);
  const device = await calls.connectMember(bob);
  const phone = await calls.connectMember(ada);
  assert.equal(await ringUnheard(phone, bob.id, device), { type: 'call-ended', reason: 'unavailable' });
  assert.not.ok(
    phone.received.some((message) => message.type === 'call-ringing'),
    'the caller never heard ringing',
  );
  assert.equal(summary(await calls.callsOf(bob)), [['received', 'missed', 'Ada Lovelace']]);
  assert.is((await calls.callsOf(bob)).unseenMissed, 1);

  assert.is((await patchReach(bob, { dndNow: false })).status, 200);
  phone.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  assert.is((await device.next('incoming-call')).caller.displayName, 'Ada Lovelace', 'switched off, calls ring again');
});

reach('do-not-disturb by a weekly schedule follows the day and time in the member’s time zone', async () => {
  const ada = await signUp(server);
  const bob = await signUp(server);
  const schedule = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '22:00', end: '07:00', timeZone: 'America/New_York' };
  const saved = await jsonOf(await patchReach(bob, { schedule }));
  assert.equal(saved.schedule, schedule);
  assert.is(saved.dndNow, false);
  const device = await calls.connectMember(bob);
  const phone = await calls.connectMember(ada);
  const quietAt = async (utc: number): Promise<boolean> => {
    nowMs = utc;
    return (await jsonOf(await server.fetch('/api/me/reach', withCookie(bob.cookie)))).quietNow;
  };

  // Monday 23:30 in New York is Tuesday 04:30 UTC: quiet.
  assert.is(await quietAt(Date.UTC(2026, 11, 1, 4, 30)), true);
  assert.equal(await ringUnheard(phone, bob.id, device), { type: 'call-ended', reason: 'unavailable' });
  // Tuesday 07:30 in New York: the quiet time is over.
  assert.is(await quietAt(Date.UTC(2026, 11, 1, 12, 30)), false);
  phone.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  const rung = await device.next('incoming-call');
  device.send({ type: 'decline', callId: rung.callId });
  await phone.next('call-ended');
  // Saturday 06:00 in New York is the morning after Friday night: quiet. Saturday 23:30 is not.
  assert.is(await quietAt(Date.UTC(2026, 11, 5, 11, 0)), true);
  assert.is(await quietAt(Date.UTC(2026, 11, 6, 4, 30)), false);

  // The same instant, Monday 21:30 UTC, is 16:30 in New York but 22:30 in Paris.
  assert.is(await quietAt(Date.UTC(2026, 10, 30, 21, 30)), false);
  await patchReach(bob, { schedule: { ...schedule, timeZone: 'Europe/Paris' } });
  assert.is(await quietAt(Date.UTC(2026, 10, 30, 21, 30)), true);
  assert.equal(await ringUnheard(phone, bob.id, device), { type: 'call-ended', reason: 'unavailable' });
});

reach('refuses bad settings with stable codes and keeps what was there', async () => {
  const bob = await signUp(server);
  const good = { days: ['sat'], start: '08:00', end: '12:00', timeZone: 'Europe/Paris' };
  assert.is((await patchReach(bob, { schedule: good })).status, 200);
  const cases: [unknown, Record<string, string>][] = [
    [{ dndNow: true, schedule: { ...good, timeZone: 'Mars/Olympus_Mons' } }, { 'schedule.timeZone': 'unknown_time_zone' }],
    [{ schedule: { ...good, start: '24:00', end: '7:00' } }, { 'schedule.start': 'invalid_time', 'schedule.end': 'invalid_time' }],
    [{ schedule: { ...good, days: ['mon', 'mon'] } }, { 'schedule.days': 'invalid' }],
    [{ schedule: { ...good, days: ['funday'] } }, { 'schedule.days': 'invalid' }],
    [{ schedule: { ...good, colour: 'red' } }, { 'schedule.colour': 'not_allowed' }],
    [{ schedule: 'weekdays' }, { schedule: 'must_be_object' }],
    [{ dndNow: 'yes' }, { dndNow: 'must_be_boolean' }],
    [{ knock: true }, { knock: 'not_allowed' }],
    [{ knockFirst: 1 }, { knockFirst: 'must_be_boolean' }],
  ];
  for (const [body, fields] of cases) {
    const response = await patchReach(bob, body);
    assert.is(response.status, 400, JSON.stringify(body));
    const { error } = await jsonOf(response);
    assert.is(error.code, 'invalid_reach_settings');
    assert.equal(error.fields, fields, JSON.stringify(body));
  }
  const kept = await jsonOf(await server.fetch('/api/me/reach', withCookie(bob.cookie)));
  assert.equal(kept.schedule, good, 'nothing half-written');
  assert.is(kept.dndNow, false, 'the valid field of a refused request was not saved');
  assert.is((await server.fetch('/api/me/reach')).status, 401);
  assert.is((await server.fetch('/api/me/reach', json({ dndNow: true }, undefined, 'PATCH'))).status, 401);
});

reach('a blocked member hears unavailable, never rings, and is not in the member’s log; unblocked, rings again', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const blocked = await block(bob, { memberId: ada.id });
  assert.is(blocked.status, 200);
  const list = await jsonOf(blocked);
  assert.equal(
    list.blocks.map((entry: { kind: string; name: string }) => [entry.kind, entry.name]),
    [['member', 'Ada Lovelace']],
  );
  assert.is((await block(bob, { memberId: ada.id })).status, 200, 'blocking twice is harmless');
  assert.is((await blocksOf(bob)).blocks.length, 1);

  const device = await calls.connectMember(bob);
  const phone = await calls.connectMember(ada);
  assert.equal(await ringUnheard(phone, bob.id, device), { type: 'call-ended', reason: 'unavailable' });
  assert.equal(summary(await calls.callsOf(bob)), [], 'the member’s log stays free of them');
  assert.equal(summary(await calls.callsOf(ada)), [['made', 'missed', 'Bob Durand']], 'the caller’s own log reads as for anyone who did not answer');

  const unblocked = await server.fetch(`/api/me/blocks/${list.blocks[0].id}`, withCookie(bob.cookie, { method: 'DELETE', headers: { Origin: server.origin } }));
  assert.is(unblocked.status, 200);
  assert.equal((await jsonOf(unblocked)).blocks, []);
  phone.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  assert.is((await device.next('incoming-call')).caller.displayName, 'Ada Lovelace');
});

reach('the directory shows a member who shows presence as not reachable to those they blocked and while quiet', async () => {
  const ada = await signUp(server);
  const bob = await signUp(server, { lastName: 'Aaa-directory' });
  const carol = await signUp(server);
  await server.fetch('/api/me/call-link', json({ showPresence: true }, bob.cookie, 'PATCH'));
  await calls.connectMember(bob);
  const reachableFor = async (viewer: TestMember): Promise<boolean | null> => {
    const page = await jsonOf(await server.fetch(`/api/members?q=${encodeURIComponent(bob.lastName)}`, withCookie(viewer.cookie)));
    return page.members.find((member: { id: string }) => member.id === bob.id)?.reachable ?? null;
  };
  assert.is(await reachableFor(ada), true);
  await block(bob, { memberId: ada.id });
  assert.is(await reachableFor(ada), false, 'the blocked member sees what an offline member looks like');
  assert.is(await reachableFor(carol), true);
  await patchReach(bob, { dndNow: true });
  assert.is(await reachableFor(carol), false);
});

reach('blocks the guest who just rang, for that browser session on that link; other guests still ring', async () => {
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const code = await calls.codeOf(bob);
  const device = await calls.connectMember(bob);
  const first = await calls.ticketFor(code, 'Zoé');
  assert.is(first.response.status, 201);
  const zoe = await calls.connectGuestWith(first.cookie ?? '', 'Zoé');
  zoe.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  const rung = await device.next('incoming-call');
  assert.is(rung.caller.kind, 'guest');
  const guestId = rung.caller.kind === 'guest' ? rung.caller.guestId : '';
  device.send({ type: 'decline', callId: rung.callId });
  await zoe.next('call-ended');

  const blocked = await block(bob, { guestId });
  assert.is(blocked.status, 200);
  assert.equal(
    (await jsonOf(blocked)).blocks.map((entry: { kind: string; name: string }) => [entry.kind, entry.name]),
    [['guest', 'Zoé']],
  );
  // The same browser asks for a new ticket (the page again, another name): still the same guest.
  const again = await calls.ticketFor(code, 'Zoé bis', { Cookie: first.cookie ?? '' });
  assert.is((await jsonOf(again.response)).guestId, guestId, 'one browser session, one guest');
  const zoeAgain = await calls.connectGuestWith(again.cookie ?? '', 'Zoé again');
  assert.equal(await ringUnheard(zoeAgain, bob.id, device), { type: 'call-ended', reason: 'unavailable' });
  assert.equal(summary(await calls.callsOf(bob)), [['received', 'declined', 'Zoé']], 'the blocked ring left no row');

  const other = await calls.connectGuest(code, 'Yves');
  other.client.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  assert.is((await device.next('incoming-call')).caller.displayName, 'Yves', 'another guest rings');
});

reach('refuses to block without a target, oneself, an unknown member or a guest who did not ring', async () => {
  const bob = await signUp(server);
  const ada = await signUp(server);
  const cases: [unknown, number, string][] = [
    [{}, 400, 'invalid_block'],
    [{ memberId: ada.id, guestId: 'abc' }, 400, 'invalid_block'],
    [{ memberId: 'not an id!' }, 400, 'invalid_block'],
    [{ memberId: ada.id, note: 'x' }, 400, 'invalid_block'],
    [{ memberId: bob.id }, 400, 'cannot_block_self'],
    [{ memberId: 'no-such-member' }, 404, 'unknown_member'],
    [{ guestId: 'never-rang-here' }, 404, 'unknown_guest'],
  ];
  for (const [body, status, code] of cases) {
    const response = await block(bob, body);
    assert.is(response.status, status, JSON.stringify(body));
    assert.is((await jsonOf(response)).error.code, code, JSON.stringify(body));
  }
  assert.equal((await blocksOf(bob)).blocks, [], 'nothing was added');
  const entry = (await jsonOf(await block(ada, { memberId: bob.id }))).blocks[0];
  const notHis = await server.fetch(`/api/me/blocks/${entry.id}`, withCookie(bob.cookie, { method: 'DELETE', headers: { Origin: server.origin } }));
  assert.is(notHis.status, 404, 'one member cannot lift another’s block');
  const garbage = await server.fetch('/api/me/blocks/1e3', withCookie(bob.cookie, { method: 'DELETE', headers: { Origin: server.origin } }));
  assert.is(garbage.status, 404);
  assert.is((await blocksOf(ada)).blocks.length, 1);
});

reach('do-not-disturb and blocks are in the export, never told to the blocked member, and go with either account', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server);
  await patchReach(bob, { dndNow: true, schedule: { days: ['sun'], start: '00:00', end: '00:00', timeZone: 'Europe/Paris' } });
  await block(bob, { memberId: ada.id });
  const exported = (await jsonOf(await server.fetch('/api/me/export', withCookie(bob.cookie)))).data;
  assert.equal(exported.doNotDisturb, [
    {
      dnd_now: 1,
      schedule_days: 64,
      schedule_start_min: 0,
      schedule_end_min: 0,
      time_zone: 'Europe/Paris',
      knock_first: 0,
      updated_at: exported.doNotDisturb[0].updated_at,
    },
  ]);
  assert.equal(
    exported.blocked.map((row: { kind: string }) => row.kind),
    ['member'],
  );
  const adaText = await (await server.fetch('/api/me/export', withCookie(ada.cookie))).text();
  assert.not.ok(adaText.includes(bob.id), 'Ada’s export does not name who blocked her');
  const adaData = JSON.parse(adaText).data;
  assert.equal(adaData.blocked, [], 'only the blocks Ada set herself');
  assert.not.ok('blockedBy' in adaData);

  const deleted = await server.fetch('/api/me', json({ password: ada.password }, ada.cookie, 'DELETE'));
  assert.is(deleted.status, 204);
  assert.equal((await blocksOf(bob)).blocks, [], 'a block goes with the blocked member’s account');
  await server.fetch('/api/me', json({ password: bob.password }, bob.cookie, 'DELETE'));
  const left = server.db.prepare('SELECT (SELECT count(*) FROM reach_settings) + (SELECT count(*) FROM blocks) AS n').get() as { n: number };
  assert.is(left.n, 0, 'nothing left of either');
});

reach.run();

const same = suite('"unavailable" says nothing of why');
same.before.each(async () => {
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true, reachNowMs: () => nowMs });
});
same.after.each(async () => {
  calls.closeAll();
  await server.close();
});

same('offline, do-not-disturb and blocked give the caller the same messages, cool-down and log', async () => {
  const ada = await signUp(server);
  const offline = await signUp(server, { lastName: 'Offline' });
  const quiet = await signUp(server, { lastName: 'Quiet' });
  const blocking = await signUp(server, { lastName: 'Blocking' });
  await patchReach(quiet, { dndNow: true });
  await block(blocking, { memberId: ada.id });
  const devices = [await calls.connectMember(quiet), await calls.connectMember(blocking)];
  const phone = await calls.connectMember(ada);
  const heard: unknown[] = [];
  for (const callee of [offline, quiet, blocking]) {
    const from = phone.received.length;
    heard.push(await ringAndHear(phone, callee.id));
    // Ringing again at once meets the same cool-down.
    phone.send({ type: 'invite', calleeMemberId: callee.id, commitment: A_COMMITMENT });
    const refusal = await phone.next('error');
    heard.push({ code: refusal.code, retryAfterS: refusal.retryAfterS, message: refusal.message });
    assert.equal(
      phone.received.slice(from).map((message) => message.type),
      ['call-ended', 'error'],
      'nothing else was said',
    );
  }
  assert.equal(heard.slice(2), [...heard.slice(0, 2), ...heard.slice(0, 2)]);
  for (const device of devices) {
    await drained(device);
    assert.equal(
      device.received.filter((message) => message.type === 'incoming-call'),
      [],
      'no device rang',
    );
  }
  const made = (await calls.callsOf(ada)).calls.map((entry: { direction: string; outcome: string; attempts: number }) => [
    entry.direction,
    entry.outcome,
    entry.attempts,
  ]);
  assert.equal(made, [
    ['made', 'missed', 1],
    ['made', 'missed', 1],
    ['made', 'missed', 1],
  ]);
});

same.run();
