// The call log holds calls made as well as received, through the real server: each member's rows
// follow the same cap, filters, deletion, account deletion and export.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, signUp, withCookie, type TestMember } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { openSignalClient, type SignalTestClient, A_COMMITMENT } from '../helpers/ws.js';

let server: TestServer;
const clients: SignalTestClient[] = [];

async function connectMember(member: TestMember): Promise<SignalTestClient> {
  const client = await openSignalClient(server.wsUrl, { name: member.firstName, headers: { Origin: server.origin, Cookie: member.cookie } });
  clients.push(client);
  return client;
}

type Entry = { id: number; direction: string; outcome: string; seen: boolean; attempts: number; peer: { kind: string; name?: string; memberId?: string } };
const callsOf = async (member: TestMember, query = ''): Promise<{ calls: Entry[]; unseenMissed: number; nextBefore: number | null }> =>
  jsonOf(await server.fetch(`/api/calls${query}`, withCookie(member.cookie)));
const summary = (calls: Entry[]) => calls.map((entry) => [entry.direction, entry.outcome, entry.peer.name ?? entry.peer.kind]);

/** Ada rings Bob, who declines (or is not connected: missed). */
async function declinedCall(caller: TestMember, callee: TestMember): Promise<void> {
  const device = await connectMember(callee);
  const phone = await connectMember(caller);
  phone.send({ type: 'invite', calleeMemberId: callee.id, commitment: A_COMMITMENT });
  device.send({ type: 'decline', callId: (await device.next('incoming-call')).callId });
  await phone.next('call-ended');
}

const log = suite('calls made and received in the log');
log.before.each(async () => {
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_RING_COOLDOWN_S: '0', PORTHELLO_CALL_LOG_MAX_ENTRIES: '10' }, signaling: true });
});
log.after.each(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await server.close();
});

log('a call between members is in both logs, made for the caller and received for the callee', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  await declinedCall(ada, bob);
  assert.equal(summary((await callsOf(ada)).calls), [['made', 'declined', 'Bob Durand']]);
  assert.equal(summary((await callsOf(bob)).calls), [['received', 'declined', 'Ada Lovelace']]);
});

log('filters the received calls nobody answered, and refuses an unknown filter', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 9, minute * 10));
  const record = (calleeMemberId: string, caller: TestMember | string, minute: number, outcome: 'missed' | 'answered' | 'busy' | 'declined') =>
    server.calls.service.recordCall({
      calleeMemberId,
      caller: typeof caller === 'string' ? { kind: 'guest', displayName: caller } : { kind: 'member', memberId: caller.id },
      startedAt: at(minute),
      outcome,
      durationS: outcome === 'answered' ? 30 : null,
    });
  record(bob.id, 'Zoé', 0, 'missed');
  record(ada.id, bob, 1, 'missed');
  record(bob.id, ada, 2, 'answered');
  record(bob.id, ada, 3, 'busy');
  assert.equal(summary((await callsOf(bob)).calls), [
    ['received', 'busy', 'Ada Lovelace'],
    ['received', 'answered', 'Ada Lovelace'],
    ['made', 'missed', 'Ada Lovelace'],
    ['received', 'missed', 'Zoé'],
  ]);
  assert.equal(summary((await callsOf(bob, '?filter=missed')).calls), [
    ['received', 'busy', 'Ada Lovelace'],
    ['received', 'missed', 'Zoé'],
  ]);
  assert.is((await callsOf(bob)).unseenMissed, 1, 'a call Bob made that went unanswered is not his missed call');
  const missedPage = await callsOf(bob, '?filter=missed&limit=1');
  assert.equal(summary((await callsOf(bob, `?filter=missed&limit=1&before=${missedPage.nextBefore}`)).calls), [['received', 'missed', 'Zoé']]);
  const refused = await server.fetch('/api/calls?filter=made', withCookie(bob.cookie));
  assert.is(refused.status, 400);
  assert.is((await jsonOf(refused)).error.code, 'invalid_query');
});

log('calls made count towards the same cap, and repeated rings share one made entry', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const phone = await connectMember(ada);
  for (let i = 0; i < 3; i += 1) {
    phone.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
    assert.is((await phone.next('call-ended')).reason, 'unavailable');
  }
  const [made] = (await callsOf(ada)).calls;
  assert.equal([made?.direction, made?.outcome, made?.attempts], ['made', 'missed', 3]);
  for (let i = 0; i < 12; i += 1) {
    server.calls.service.recordCall({
      calleeMemberId: ada.id,
      caller: { kind: 'guest', displayName: `G${i}` },
      startedAt: new Date(Date.UTC(2026, 10, 2, 9, i)),
      outcome: 'declined',
      durationS: null,
    });
  }
  const { calls } = await callsOf(ada);
  assert.is(calls.length, 10);
  assert.not.ok(
    calls.some((entry) => entry.direction === 'made'),
    'the oldest entry, the call made, went first',
  );
});

log('an answered call keeps whether its media went through the relay, in both logs’ export; a report outside a live call is refused', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const device = await connectMember(bob);
  const phone = await connectMember(ada);
  phone.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  const { callId } = await device.next('incoming-call');
  phone.send({ type: 'connected-path', callId, path: 'direct' });
  const early = await phone.next('error');
  assert.is(early.code, 'not_in_call', 'no path while it rings');
  device.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  await Promise.all([device.next('call-connected'), phone.next('call-connected')]);
  phone.send({ type: 'connected-path', callId, path: 'direct' });
  device.send({ type: 'connected-path', callId, path: 'relayed' });
  // Back to a direct path later: the call still went through the relay.
  device.send({ type: 'connected-path', callId, path: 'direct' });
  // Bob's socket carries his reports before his hang-up, in order.
  device.send({ type: 'hang-up', callId });
  await phone.next('call-ended');
  const pathsOf = async (member: TestMember) => {
    const { data } = await jsonOf(await server.fetch('/api/me/export', withCookie(member.cookie)));
    return (data.callLog as { direction: string; outcome: string; path: string | null }[]).map((row) => [row.direction, row.outcome, row.path]);
  };
  assert.equal(await pathsOf(ada), [['made', 'answered', 'relayed']]);
  assert.equal(await pathsOf(bob), [['received', 'answered', 'relayed']]);

  // A path that is not one of the two kinds breaks the protocol: the socket is closed.
  const other = await connectMember(ada);
  other.ws.send(JSON.stringify({ type: 'connected-path', callId, path: 'via-mars' }));
  const closed = await new Promise<number>((resolve) => other.ws.once('close', (code) => resolve(code)));
  assert.is(closed, 1008);
});

log('deleting an entry takes it from one log only; deleting an account erases its log and leaves a former member in the other', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  await declinedCall(ada, bob);
  await declinedCall(bob, ada);
  const adaLog = (await callsOf(ada)).calls;
  const madeByAda = adaLog.find((entry) => entry.direction === 'made');
  assert.ok(madeByAda);
  assert.is((await server.fetch(`/api/calls/${madeByAda.id}`, withCookie(bob.cookie, { method: 'DELETE' }))).status, 404, 'not Bob’s entry');
  assert.is((await server.fetch(`/api/calls/${madeByAda.id}`, withCookie(ada.cookie, { method: 'DELETE' }))).status, 204);
  assert.equal(summary((await callsOf(ada)).calls), [['received', 'declined', 'Bob Durand']]);
  assert.is((await callsOf(bob)).calls.length, 2, 'Bob keeps both');

  const exported = await jsonOf(await server.fetch('/api/me/export', withCookie(ada.cookie)));
  assert.equal(
    exported.data.callLog.map((row: { direction: string; outcome: string; peer_kind: string }) => [row.direction, row.outcome, row.peer_kind]),
    [['received', 'declined', 'member']],
  );
  assert.equal(
    exported.data.inOtherMembersLogs.map((row: { direction: string }) => row.direction).sort(),
    ['made', 'received'],
    'the two rows of Bob’s log about Ada',
  );
  assert.not.ok(JSON.stringify(exported).includes(bob.id), 'no other member’s id');

  const deleted = await server.fetch('/api/me', json({ password: ada.password }, ada.cookie, 'DELETE'));
  assert.ok(deleted.status < 300, `deleted: ${deleted.status}`);
  const bobLog = (await callsOf(bob)).calls;
  assert.equal(
    bobLog.map((entry) => [entry.direction, entry.peer]),
    [
      ['made', { kind: 'former-member' }],
      ['received', { kind: 'former-member' }],
    ],
  );
});

log.run();
