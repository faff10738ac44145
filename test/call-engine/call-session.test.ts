// The browser's CallSession (public/ts/lib/call/session.ts) under Node: one connected call
// between the signaling channel and a fake peer connection. What it relays each way, how the
// callee holds its tracks back until the first offer, what a view hears (phase, remote
// stream, chat), resumes and ICE restarts, and how it ends: once, closing the connection and
// stopping the media, whatever ends it; messages for another call or after the end do nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallSession } from '../../public/ts/lib/call/session.js';
import type { ChatMessage, ConnectionPhase } from '../../public/ts/lib/call/ports.js';
import type { ClientMessage, EndReason, IceConfig, ServerMessage } from '../../server/signal/protocol.js';
import { createFakeSessionMedia, FakeConnection, type FakeSessionMedia, type FakeStream } from './fakes.js';
import { BOB, connected, ended, KEY } from './harness.js';

const RELAY_ONLY: IceConfig = { iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'p' }], iceTransportPolicy: 'relay' };
const sdp = (ufrag: string): string => `v=0\r\na=ice-ufrag:${ufrag}\r\n`;
const offer = (sdpText: string, callId = 'call-1'): ServerMessage => ({ type: 'offer', callId, from: BOB, sdp: sdpText, iceRestart: false });
const answer = (sdpText: string, callId = 'call-1'): ServerMessage => ({ type: 'answer', callId, from: BOB, sdp: sdpText });
const REMOTE: FakeStream = { name: 'remote' };

/** Lets the session's promise callbacks (a refused description) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function start(role: 'caller' | 'callee' = 'caller', ice?: IceConfig, calleeCommitment?: string) {
  const sent: ClientMessage[] = [];
  /** The socket: while it is down, send() reports the message as not sent. */
  const socket = { isOpen: true };
  const ends: EndReason[] = [];
  const negotiationErrors: unknown[] = [];
  const opened: FakeConnection[] = [];
  const media = createFakeSessionMedia();
  const init = { ...connected('call-1', role), ...(calleeCommitment === undefined ? {} : { calleeCommitment }) };
  const session = new CallSession<FakeStream, FakeConnection, FakeSessionMedia>(
    {
      connected: ice === undefined ? init : { ...init, ice },
      media,
      key: KEY,
      send: (message) => {
        if (!socket.isOpen) return false;
        sent.push(message);
        return true;
      },
      onEnded: (reason) => ends.push(reason),
    },
    {
      openConnection: (connectionInit) => {
        const connection = new FakeConnection(connectionInit);
        opened.push(connection);
        return connection;
      },
      onNegotiationError: (error) => negotiationErrors.push(error),
    },
  );
  assert.is(opened.length, 1, 'one connection per session');
  const connection = session.connection;
  assert.is(connection, opened[0]);
  /** The session is over and left nothing running: connection closed and media stopped, once each. */
  const assertTornDown = (reason: EndReason) => {
    assert.equal(ends, [reason]);
    assert.is(connection.closes, 1, 'connection closed once');
    assert.is(media.stops, 1, 'media stopped once');
  };
  return { session, connection, media, sent, ends, negotiationErrors, socket, assertTornDown };
}

const setup = suite('starting');

setup('the caller opens an impolite connection with the call ICE servers and sends its tracks at once', () => {
  const { session, connection, media } = start('caller', RELAY_ONLY);
  assert.equal(connection.init.ice, RELAY_ONLY);
  assert.is(connection.init.polite, false);
  assert.is(connection.init.awaitFirstOffer, false);
  assert.equal(connection.added, [media.stream]);
  assert.equal(media.sinks, [connection], 'camera switches and shares go to this connection');
  assert.is(session.callId, 'call-1');
  assert.is(session.role, 'caller');
  assert.is(session.resumeToken, 'token-1');
  assert.is(session.endedByMe, false);
  assert.is(session.phase, 'connecting');
  assert.is(session.remoteStream, null);
});

setup('the callee is polite, waits for the first offer, and adds its tracks between that offer and its answer', async () => {
  const { session, connection, media } = start('callee');
  assert.is(connection.init.polite, true);
  assert.is(connection.init.awaitFirstOffer, true);
  assert.equal(connection.added, [], 'no tracks before the first offer');
  assert.equal(media.sinks, [connection]);
  session.handle(offer(sdp('a1')));
  await settle();
  assert.equal(connection.descriptions, [{ type: 'offer', sdp: sdp('a1') }]);
  assert.equal(connection.added, [media.stream]);
  // A later offer (a renegotiation or an ICE restart) reuses the tracks already sent.
  session.handle(offer(sdp('a2')));
  await settle();
  assert.is(connection.descriptions.length, 2);
  assert.equal(connection.added, [media.stream], 'tracks added once');
});

setup('a callee whose first offer was refused adds its tracks with the next one', async () => {
  const { session, connection, media, negotiationErrors } = start('callee');
  connection.refuseNext = new Error('bad sdp');
  session.handle(offer('garbage'));
  await settle();
  assert.equal(connection.added, []);
  assert.is(negotiationErrors.length, 1);
  session.handle(offer(sdp('a1')));
  await settle();
  assert.equal(connection.added, [media.stream]);
});

const inbound = suite('from the other side');

inbound('offers and answers reach the connection as descriptions', async () => {
  const { session, connection, sent } = start('caller');
  session.handle(answer(sdp('b1')));
  session.handle(offer(sdp('b2')));
  await settle();
  assert.equal(connection.descriptions, [
    { type: 'answer', sdp: sdp('b1') },
    { type: 'offer', sdp: sdp('b2') },
  ]);
  assert.equal(sent, [], 'the session itself sends nothing back: the connection answers');
});

inbound('candidates reach the connection field by field, and an empty one ends the gathering', () => {
  const { session, connection } = start('caller');
  session.handle({
    type: 'candidate',
    callId: 'call-1',
    from: BOB,
    candidate: 'candidate:1 1 udp 1 127.0.0.1 4000 typ relay',
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: 'b1',
  });
  session.handle({ type: 'candidate', callId: 'call-1', from: BOB, candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null });
  assert.equal(connection.candidates, [
    { candidate: 'candidate:1 1 udp 1 127.0.0.1 4000 typ relay', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'b1' },
    null,
  ]);
});

inbound('a description the connection refuses is reported, and the call goes on', async () => {
  const { session, connection, negotiationErrors, ends } = start('caller');
  const refused = new Error('bad answer');
  connection.refuseNext = refused;
  session.handle(answer('garbage'));
  await settle();
  assert.equal(negotiationErrors, [refused]);
  assert.equal(ends, []);
  session.handle(offer(sdp('b2')));
  await settle();
  assert.is(connection.descriptions.length, 2, 'the next description is still applied');
});

inbound('peer-back asks the connection to resume negotiating (re-send a lost offer or restart ICE); peer-away changes nothing', () => {
  const { session, connection, ends } = start('caller');
  session.handle({ type: 'peer-away', callId: 'call-1' });
  assert.equal([connection.restarts, connection.resumes], [0, 0]);
  session.handle({ type: 'peer-back', callId: 'call-1' });
  assert.equal([connection.restarts, connection.resumes], [0, 1]);
  assert.equal(ends, []);
});

const outbound = suite('to the other side');

outbound('the connection first offer goes out as an offer that is not a restart', () => {
  const { connection, sent } = start('caller');
  connection.init.send({ kind: 'description', description: { type: 'offer', sdp: sdp('a1') } });
  assert.equal(sent, [{ type: 'offer', callId: 'call-1', sdp: sdp('a1'), iceRestart: false }]);
});

outbound('an offer with a new ICE username fragment is marked as a restart, a renegotiation with the same one is not', () => {
  const { connection, sent } = start('caller');
  const send = (description: { type: 'offer' | 'answer'; sdp: string }) => connection.init.send({ kind: 'description', description });
  send({ type: 'offer', sdp: sdp('a1') });
  send({ type: 'offer', sdp: sdp('a1') });
  send({ type: 'offer', sdp: sdp('a2') });
  assert.equal(
    sent.map((message) => (message.type === 'offer' ? message.iceRestart : message.type)),
    [false, false, true],
  );
});

outbound('the callee answer goes out, and its fragment is the base of its own later restart', () => {
  const { connection, sent } = start('callee');
  connection.init.send({ kind: 'description', description: { type: 'answer', sdp: sdp('c1') } });
  connection.init.send({ kind: 'description', description: { type: 'offer', sdp: sdp('c1') } });
  connection.init.send({ kind: 'description', description: { type: 'offer', sdp: sdp('c2') } });
  assert.equal(sent, [
    { type: 'answer', callId: 'call-1', sdp: sdp('c1') },
    { type: 'offer', callId: 'call-1', sdp: sdp('c1'), iceRestart: false },
    { type: 'offer', callId: 'call-1', sdp: sdp('c2'), iceRestart: true },
  ]);
});

outbound('the media path goes to the server once per change, and again when the socket could not carry it', () => {
  const { session, sent, socket } = start('callee');
  const paths = () => sent.filter((message) => message.type === 'connected-path');
  session.notePath('direct');
  session.notePath('direct');
  assert.equal(paths(), [{ type: 'connected-path', callId: 'call-1', path: 'direct' }]);
  socket.isOpen = false;
  session.notePath('relayed');
  assert.is(paths().length, 1, 'lost with the socket');
  socket.isOpen = true;
  session.notePath('relayed');
  session.notePath('relayed');
  assert.equal(paths().at(-1), { type: 'connected-path', callId: 'call-1', path: 'relayed' });
  assert.is(paths().length, 2);
  session.hangUp();
  session.notePath('direct');
  assert.is(paths().length, 2, 'nothing after the end');
});

outbound('rollbacks and provisional answers stay local', () => {
  const { connection, sent } = start('caller');
  connection.init.send({ kind: 'description', description: { type: 'rollback' } });
  connection.init.send({ kind: 'description', description: { type: 'pranswer', sdp: sdp('a1') } });
  assert.equal(sent, []);
});

outbound('candidates go out with every field, and the end of gathering as an empty candidate', () => {
  const { connection, sent } = start('caller');
  connection.init.send({
    kind: 'candidate',
    candidate: { candidate: 'candidate:2 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'a1' },
  });
  connection.init.send({ kind: 'candidate', candidate: { candidate: 'candidate:3 1 udp 1 127.0.0.1 5001 typ host' } });
  connection.init.send({ kind: 'candidate', candidate: null });
  assert.equal(sent, [
    { type: 'candidate', callId: 'call-1', candidate: 'candidate:2 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'a1' },
    {
      type: 'candidate',
      callId: 'call-1',
      candidate: 'candidate:3 1 udp 1 127.0.0.1 5001 typ host',
      sdpMid: null,
      sdpMLineIndex: null,
      usernameFragment: null,
    },
    { type: 'candidate', callId: 'call-1', candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
  ]);
});

const views = suite('what a view hears');

views('a watcher hears the phase, the remote stream and chat as they come', () => {
  const { session, connection } = start('caller');
  const phases: ConnectionPhase[] = [];
  const streams: FakeStream[] = [];
  const chat: ChatMessage[] = [];
  session.watch({ onPhase: (phase) => phases.push(phase), onRemoteStream: (stream) => streams.push(stream), onChat: (message) => chat.push(message) });
  assert.equal(phases, ['connecting'], 'the current phase at once');
  assert.equal(streams, [], 'no remote stream yet');
  connection.init.onRemoteStream(REMOTE);
  connection.init.onPhase('connected');
  connection.init.onChat({ text: 'bonjour', sentAt: '2026-01-15T09:30:00.000Z' });
  assert.equal(phases, ['connecting', 'connected']);
  assert.equal(streams, [REMOTE]);
  assert.equal(chat, [{ text: 'bonjour', sentAt: '2026-01-15T09:30:00.000Z' }]);
  assert.is(session.remoteStream, REMOTE);
  assert.is(session.phase, 'connected');
});

views('a view opened later gets the phase and remote stream it missed, but not past chat', () => {
  const { session, connection } = start('caller');
  connection.init.onRemoteStream(REMOTE);
  connection.init.onPhase('reconnecting');
  connection.init.onChat({ text: 'missed', sentAt: '2026-01-15T09:30:00.000Z' });
  const heard: string[] = [];
  session.watch({
    onPhase: (phase) => heard.push(`phase:${phase}`),
    onRemoteStream: (stream) => heard.push(`stream:${stream.name}`),
    onChat: (message) => heard.push(`chat:${message.text}`),
  });
  assert.equal(heard, ['phase:reconnecting', 'stream:remote']);
});

views('every watcher hears each event; one that stopped watching hears nothing more', () => {
  const { session, connection } = start('caller');
  const first: string[] = [];
  const second: string[] = [];
  const stopFirst = session.watch({ onChat: (message) => first.push(message.text) });
  session.watch({ onChat: (message) => second.push(message.text), onPhase: (phase) => second.push(phase) });
  connection.init.onChat({ text: 'one', sentAt: '2026-01-15T09:30:00.000Z' });
  stopFirst();
  connection.init.onChat({ text: 'two', sentAt: '2026-01-15T09:30:01.000Z' });
  assert.equal(first, ['one']);
  assert.equal(second, ['connecting', 'one', 'two']);
});

views('a watcher with only some handlers is fine', () => {
  const { session, connection } = start('caller');
  const chat: string[] = [];
  session.watch({ onChat: (message) => chat.push(message.text) });
  connection.init.onPhase('connected');
  connection.init.onRemoteStream(REMOTE);
  connection.init.onChat({ text: 'hi', sentAt: '2026-01-15T09:30:00.000Z' });
  assert.equal(chat, ['hi']);
});

const resume = suite('resume');

resume('a call-connected for this call (our socket came back) takes the new token and resumes negotiating', () => {
  const { session, connection, ends } = start('caller');
  session.handle(connected('call-1', 'caller', BOB, 'token-2', true));
  assert.is(session.resumeToken, 'token-2');
  assert.is(connection.resumes, 1);
  session.handle(connected('call-1', 'caller', BOB, 'token-3', true));
  assert.is(session.resumeToken, 'token-3');
  assert.is(connection.resumes, 2);
  assert.equal(ends, []);
});

resume('the caller keeps the callee’s commitment of the call’s start: a resumed call-connected cannot replace it', () => {
  const { session } = start('caller', undefined, KEY.commitment);
  assert.is(session.calleeCommitment, KEY.commitment);
  session.handle({ ...connected('call-1', 'caller', BOB, 'token-2', true), calleeCommitment: 'ee'.repeat(32) });
  assert.is(session.calleeCommitment, KEY.commitment);
  assert.is(start('caller').session.calleeCommitment, null, 'none sent: none trusted');
  assert.is(start('callee', undefined, KEY.commitment).session.calleeCommitment, null, 'a callee checks no commitment');
});

const ending = suite('ending');

ending('hanging up tells the server once, closes the connection, stops the media and reports hung-up', () => {
  const { session, sent, assertTornDown } = start('caller');
  session.hangUp();
  assert.equal(sent, [{ type: 'hang-up', callId: 'call-1' }]);
  assert.is(session.endedByMe, true);
  assertTornDown('hung-up');
  session.hangUp();
  assert.equal(sent, [{ type: 'hang-up', callId: 'call-1' }], 'a second hang-up sends nothing');
  assertTornDown('hung-up');
});

ending('hanging up while the socket is down still ends the call here; the server ends it when the socket does not come back', () => {
  const { session, sent, socket, assertTornDown } = start('caller');
  socket.isOpen = false;
  session.hangUp();
  assert.equal(sent, []);
  assert.is(session.endedByMe, true);
  assertTornDown('hung-up');
});

ending('the server ending the call tears it down with its reason and sends nothing back', () => {
  for (const reason of ['hung-up', 'peer-gone', 'server-shutdown'] as const) {
    const { session, sent, assertTornDown } = start('callee');
    session.handle(ended('call-1', reason));
    assert.is(session.endedByMe, false, reason);
    assert.equal(sent, [], reason);
    assertTornDown(reason);
    // Our hang-up button pressed after the end: nothing more.
    session.hangUp();
    session.handle(ended('call-1', 'hung-up'));
    assert.equal(sent, [], reason);
    assertTornDown(reason);
  }
});

ending('after the end, a view hears nothing more and late messages reach nothing', async () => {
  const { session, connection, media } = start('callee');
  const heard: string[] = [];
  session.watch({ onPhase: (phase) => heard.push(phase), onChat: (message) => heard.push(message.text) });
  session.hangUp();
  assert.equal(heard, ['connecting', 'closed'], 'the close is the last thing a view hears');
  connection.init.onChat({ text: 'late', sentAt: '2026-01-15T09:30:00.000Z' });
  connection.init.onPhase('failed');
  session.handle(offer(sdp('a1')));
  session.handle({ type: 'candidate', callId: 'call-1', from: BOB, candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null });
  session.handle({ type: 'peer-back', callId: 'call-1' });
  session.handle(connected('call-1', 'callee', BOB, 'token-9', true));
  await settle();
  assert.equal(heard, ['connecting', 'closed']);
  assert.equal(connection.descriptions, []);
  assert.equal(connection.candidates, []);
  assert.equal(connection.added, [], 'a late offer does not add the callee tracks');
  assert.equal([connection.restarts, connection.resumes], [0, 0]);
  assert.is(session.resumeToken, 'token-1');
  assert.is(media.stops, 1);
});

const stale = suite('messages not for this call');

stale('messages about another call change nothing', async () => {
  const { session, connection, sent, ends } = start('callee');
  session.handle(offer(sdp('x1'), 'call-2'));
  session.handle(answer(sdp('x2'), 'call-2'));
  session.handle({ type: 'candidate', callId: 'call-2', from: BOB, candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null });
  session.handle({ type: 'peer-back', callId: 'call-2' });
  session.handle(connected('call-2', 'callee', BOB, 'token-other', true));
  session.handle(ended('call-2', 'hung-up'));
  await settle();
  assert.equal(connection.descriptions, []);
  assert.equal(connection.candidates, []);
  assert.equal(connection.added, []);
  assert.equal([connection.restarts, connection.resumes], [0, 0]);
  assert.is(session.resumeToken, 'token-1');
  assert.equal(ends, []);
  assert.is(connection.closes, 0);
  assert.equal(sent, []);
});

stale('messages without a call (welcome, refusals, ringing elsewhere) change nothing', () => {
  const { session, connection, ends } = start('caller');
  session.handle({ type: 'welcome', version: 1, connectionId: 'c1', self: BOB });
  session.handle({ type: 'error', code: 'not_in_call', message: 'no' });
  session.handle({ type: 'incoming-call', callId: 'call-2', caller: BOB });
  assert.equal(ends, []);
  assert.is(connection.closes, 0);
  assert.equal([connection.restarts, connection.resumes], [0, 0]);
});

for (const group of [setup, inbound, outbound, views, resume, ending, stale]) group.run();
