// One test per known defect of node-turn 0.0.6 (issue 5, items 1-9, and the hardening issue's
// defects 10 to 12). Each was seen failing on the package as published and passes with the
// patches applied (patches/node-turn+0.0.6+NNN+*.patch, named after their defect).
// Relay ports: 50000-50199.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import crypto from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import NodeTurnServer from 'node-turn';
import { ATTR, CLASS, METHOD, attribute, encodeMessage, encodeXorAddress, errorCode, hasValidIntegrity, u32, TRANSPORT_UDP } from '../../server/turn/stun.js';
import { TurnClient } from '../../server/turn/client.js';
import { waitUntil } from '../helpers/wait.js';
import { OTHER_USER, USER, handledSoFar, handledSoFarFrom, isPortFree, sleep, startNodeTurn, withTimeout } from './helpers/node-turn-fixture.js';
import { openUdpPeer } from './helpers/udp-peer.js';
import { TcpTurnClient } from './helpers/tcp-turn.js';
import { first } from '../helpers/values.js';

const DATA_TIMEOUT_MS = 1000;
/** A bound for a hang, not a measure: a TCP accept on a machine busy with browser suites. */
const ACCEPT_TIMEOUT_MS = 10_000;
/** Waits for a relay timer (a lifetime of 1 s) to fire: several lifetimes, then the test fails. */
const EXPIRY_TIMEOUT_MS = 5000;
const CHANNEL = 0x4001;
/** What some tests reach inside node-turn: its handlers and allocations. */
type Internals = { handleChannelData: (...args: unknown[]) => void; allocations: Record<string, { hasPermission: (...args: unknown[]) => boolean }> };
const internals = (server: NodeTurnServer): Internals => server as unknown as Internals;
const loopbackOnly = (address: string): boolean => address.startsWith('127.');

// ---------------------------------------------------------------------------------------------
const d1 = suite('defect 1: channels');

d1('answers ChannelBind with a success that carries a valid MESSAGE-INTEGRITY', async () => {
  const relay = await startNodeTurn([50000, 50004]);
  const peer = await openUdpPeer();
  try {
    const client = await relay.client();
    await client.allocate();
    const response = await client.channelBind(CHANNEL, { address: '127.0.0.1', port: peer.port });
    assert.is(response.cls, CLASS.SUCCESS);
    assert.ok(hasValidIntegrity(response, client.integrityKey as Buffer), 'ChannelBind success must be signed');
  } finally {
    await peer.close();
    await relay.close();
  }
});

d1('relays ChannelData sent by the client to the bound peer, and the peer answer back on the channel', async () => {
  const relay = await startNodeTurn([50005, 50009]);
  const peer = await openUdpPeer();
  try {
    const client = await relay.client();
    const { relayed } = await client.allocate();
    const bound = await client.channelBind(CHANNEL, { address: '127.0.0.1', port: peer.port });
    assert.is(bound.cls, CLASS.SUCCESS);
    client.sendChannelData(CHANNEL, Buffer.from('to-peer'));
    const atPeer = await peer.next(DATA_TIMEOUT_MS);
    assert.ok(atPeer !== null, 'the peer received the ChannelData payload');
    assert.is(atPeer.data.toString(), 'to-peer');
    assert.is(atPeer.from.port, relayed.port);
    // A peer payload that happens to look like ChannelData is relayed intact.
    const tricky = Buffer.from([0x40, 0x01, 0x00, 0x02, 0x41, 0x42, 0, 0]);
    peer.socket.send(tricky, relayed.port, '127.0.0.1');
    const back = await client.nextData(DATA_TIMEOUT_MS);
    assert.ok(back !== null);
    assert.is(back.channel, CHANNEL);
    assert.equal([...back.data], [...tricky]);
  } finally {
    await peer.close();
    await relay.close();
  }
});

d1.run();

// ---------------------------------------------------------------------------------------------
const d2 = suite('defect 2: lifetimes and refresh');

d2('grants the LIFETIME requested on Allocate, bounded by the maximum', async () => {
  const relay = await startNodeTurn([50010, 50014], { defaultAllocatetLifetime: 600, maxAllocateLifetime: 3600 });
  try {
    const first = await (await relay.client()).allocate({ lifetimeS: 1200 });
    assert.is(first.lifetimeS, 1200);
    const second = await (await relay.client()).allocate({ lifetimeS: 86_400 });
    assert.is(second.lifetimeS, 3600);
  } finally {
    await relay.close();
  }
});

d2('extends an allocation on Refresh, which stays usable afterwards', async () => {
  const relay = await startNodeTurn([50015, 50019]);
  try {
    const client = await relay.client();
    await client.allocate();
    assert.is(await client.refresh(900), 900);
    const permission = await client.createPermission([{ address: '127.0.0.1', port: 9 }]);
    assert.is(errorCode(permission), null, 'CreatePermission after Refresh must not be 437');
  } finally {
    await relay.close();
  }
});

/** Well inside the 1 s lifetime of the next test, so each Refresh comes before the expiry. */
const REFRESH_EVERY_MS = 600;

d2('keeps an allocation alive past its first lifetime when refreshed', async () => {
  const relay = await startNodeTurn([50020, 50024], { defaultAllocatetLifetime: 1, maxAllocateLifetime: 1 });
  try {
    const client = await relay.client();
    const { lifetimeS } = await client.allocate();
    assert.is(lifetimeS, 1);
    // Crossing the lifetime is the point: the relay's own timer runs while the test refreshes
    // inside each lifetime, three times, so the allocation outlives the first one.
    for (let i = 0; i < 3; i += 1) {
      await sleep(REFRESH_EVERY_MS);
      assert.is(await client.refresh(1), 1);
    }
    assert.is(errorCode(await client.createPermission([{ address: '127.0.0.1', port: 9 }])), null);
  } finally {
    await relay.close();
  }
});

d2.run();

// ---------------------------------------------------------------------------------------------
const d3 = suite('defect 3: authentication by default');

d3('refuses an unauthenticated Allocate when no authentication mechanism is configured', async () => {
  const server = new NodeTurnServer({ listeningIps: ['127.0.0.1'], minPort: 50025, maxPort: 50029, debugLevel: 'OFF', log: () => {} });
  server.network.listeningPort = 0;
  const started = server.start() as unknown;
  const socket = server.network.sockets[0];
  assert.ok(socket !== undefined);
  await withTimeout(started instanceof Promise ? started : new Promise((resolve) => socket.once('listening', resolve)), 2000, 'start');
  const client = await TurnClient.open({ address: '127.0.0.1', port: socket.address().port }, null);
  try {
    const response = await client.transact(METHOD.ALLOCATE, [{ type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) }]);
    assert.is(errorCode(response), 401);
    assert.ok(attribute(response, ATTR.NONCE) !== undefined && attribute(response, ATTR.REALM) !== undefined);
  } finally {
    await client.close();
    for (const allocation of Object.values(server.allocations) as Array<{ sockets: Array<{ close(): void }>; timer: NodeJS.Timeout }>) {
      clearTimeout(allocation.timer);
      for (const socket of allocation.sockets) socket.close();
    }
    const stopped = server.stop() as unknown;
    if (stopped instanceof Promise) await stopped;
  }
});

d3('refuses an Allocate signed with a wrong password', async () => {
  const relay = await startNodeTurn([50030, 50034]);
  try {
    const client = await relay.client({ username: USER.username, password: 'wrong' });
    let code: number | null = null;
    try {
      await client.allocate();
    } catch (error) {
      code = (error as { code?: number }).code ?? null;
    }
    assert.is(code, 401);
  } finally {
    await relay.close();
  }
});

d3('refuses usernames that name members of Object.prototype, whatever the password', async () => {
  // With a plain-object credential table, credentials["toString"] is a function whose source
  // text is a password anyone can compute.
  const relay = await startNodeTurn([50140, 50144]);
  try {
    for (const username of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const guess = String((Object.prototype as unknown as Record<string, unknown>)[username]);
      const client = await relay.client({ username, password: guess });
      let code: number | null = null;
      await client.allocate().then(
        () => (code = 200),
        (error: { code?: number }) => (code = error.code ?? null),
      );
      assert.is(code, 401, username);
    }
  } finally {
    await relay.close();
  }
});

d3.run();

// ---------------------------------------------------------------------------------------------
const d4 = suite('defect 4: peer filtering');

d4('answers 403 to CreatePermission and ChannelBind for a peer the filter denies', async () => {
  const relay = await startNodeTurn([50035, 50039], { peerFilter: (address) => !loopbackOnly(address) });
  try {
    const client = await relay.client();
    await client.allocate();
    assert.is(errorCode(await client.createPermission([{ address: '127.0.0.1', port: 9 }])), 403);
    assert.is(errorCode(await client.channelBind(CHANNEL, { address: '127.0.0.1', port: 9 })), 403);
  } finally {
    await relay.close();
  }
});

d4('never delivers a Send indication to a denied loopback service', async () => {
  // The filter allows the permission step for this test's sake, then denies at send time, to
  // show Send is checked on its own (a permission is no blanket pass).
  let allowed = true;
  const relay = await startNodeTurn([50040, 50044], { peerFilter: () => allowed });
  const victim = await openUdpPeer();
  try {
    const client = await relay.client();
    await client.allocate();
    assert.is(errorCode(await client.createPermission([{ address: '127.0.0.1', port: victim.port }])), null);
    allowed = false;
    client.sendIndication({ address: '127.0.0.1', port: victim.port }, Buffer.from('probe'));
    await handledSoFar(client);
    // Allowed again, a second indication gets through: it must be the first thing the victim sees.
    allowed = true;
    client.sendIndication({ address: '127.0.0.1', port: victim.port }, Buffer.from('after'));
    assert.is((await victim.next(DATA_TIMEOUT_MS))?.data.toString(), 'after');
  } finally {
    await victim.close();
    await relay.close();
  }
});

d4.run();

// ---------------------------------------------------------------------------------------------
const d5 = suite('defect 5: quotas');

d5('answers 486 past the per-user quota while another user still allocates', async () => {
  const relay = await startNodeTurn([50045, 50054], { userQuota: 2, totalQuota: 0 });
  try {
    await (await relay.client()).allocate();
    await (await relay.client()).allocate();
    let code: number | null = null;
    await (await relay.client()).allocate().catch((error: { code?: number }) => (code = error.code ?? null));
    assert.is(code, 486);
    const other = await (await relay.client(OTHER_USER)).allocate();
    assert.ok(other.relayed.port >= 50045);
  } finally {
    await relay.close();
  }
});

d5('refuses allocations past the total quota', async () => {
  const relay = await startNodeTurn([50055, 50064], { userQuota: 0, totalQuota: 2 });
  try {
    await (await relay.client()).allocate();
    await (await relay.client(OTHER_USER)).allocate();
    let code: number | null = null;
    await (await relay.client(OTHER_USER)).allocate().catch((error: { code?: number }) => (code = error.code ?? null));
    assert.is(code, 508);
  } finally {
    await relay.close();
  }
});

d5.run();

// ---------------------------------------------------------------------------------------------
const d6 = suite('defect 6: relay ports are freed');

d6('closes the relay port when the allocation expires', async () => {
  const relay = await startNodeTurn([50065, 50069], { defaultAllocatetLifetime: 1, maxAllocateLifetime: 1 });
  try {
    const { relayed } = await (await relay.client()).allocate();
    assert.not.ok(await isPortFree(relayed.port));
    await waitUntil(() => isPortFree(relayed.port), 'the expired relay port to be closed', EXPIRY_TIMEOUT_MS);
  } finally {
    await relay.close();
  }
});

d6('closes the relay port at once on Refresh with LIFETIME 0', async () => {
  const relay = await startNodeTurn([50070, 50074]);
  try {
    const client = await relay.client();
    const { relayed } = await client.allocate();
    assert.is(await client.refresh(0), 0);
    assert.ok(await isPortFree(relayed.port));
  } finally {
    await relay.close();
  }
});

d6('does not leak a relay socket for a retransmitted Allocate', async () => {
  // Two relay ports: a leaked socket would leave one user without a port.
  const relay = await startNodeTurn([50075, 50076]);
  try {
    const client = await relay.client();
    await client.allocate(); // learns the nonce
    await client.refresh(0);
    const transactionId = crypto.randomBytes(12);
    const raw = encodeMessage({
      method: METHOD.ALLOCATE,
      cls: CLASS.REQUEST,
      transactionId,
      attributes: [
        { type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) },
        { type: ATTR.USERNAME, value: Buffer.from(USER.username) },
        { type: ATTR.REALM, value: attribute(first(client.responses, 'response'), ATTR.REALM) ?? Buffer.alloc(0) },
        { type: ATTR.NONCE, value: attribute(first(client.responses, 'response'), ATTR.NONCE) ?? Buffer.alloc(0) },
      ],
      integrityKey: client.integrityKey as Buffer,
    });
    client.sendRaw(raw);
    client.sendRaw(raw);
    const answer = await client.exchange(raw, transactionId, 2000);
    assert.is(answer.cls, CLASS.SUCCESS);
    await handledSoFar(client); // every copy of the Allocate has been handled
    assert.is(await client.refresh(0), 0);
    const a = await (await relay.client()).allocate();
    const b = await (await relay.client(OTHER_USER)).allocate();
    assert.is.not(a.relayed.port, b.relayed.port);
  } finally {
    await relay.close();
  }
});

d6('keeps allocating after twice the port range of allocate/release cycles', async () => {
  const relay = await startNodeTurn([50077, 50080]);
  try {
    for (let cycle = 0; cycle < 8; cycle += 1) {
      const client = await relay.client();
      await client.allocate();
      assert.is(await client.refresh(0), 0);
    }
  } finally {
    await relay.close();
  }
});

d6.run();

// ---------------------------------------------------------------------------------------------
const d7 = suite('defect 7: parser');

d7('answers an Allocate carrying REQUESTED-ADDRESS-FAMILY IPv4', async () => {
  const relay = await startNodeTurn([50081, 50084]);
  try {
    const result = await (await relay.client()).allocate({ extra: [{ type: ATTR.REQUESTED_ADDRESS_FAMILY, value: Buffer.from([1, 0, 0, 0]) }] });
    assert.ok(result.relayed.port >= 50081);
  } finally {
    await relay.close();
  }
});

d7('answers an Allocate carrying EVEN-PORT', async () => {
  const relay = await startNodeTurn([50085, 50089]);
  try {
    const client = await relay.client();
    const response = await client.transact(METHOD.ALLOCATE, [
      { type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) },
      { type: ATTR.EVEN_PORT, value: Buffer.from([0x80]) },
    ]);
    assert.ok(response.cls === CLASS.SUCCESS || response.cls === CLASS.ERROR, 'a request always gets an answer');
  } finally {
    await relay.close();
  }
});

d7('ignores an unknown comprehension-optional attribute and answers 420 to an unknown required one', async () => {
  const relay = await startNodeTurn([50090, 50094]);
  try {
    const client = await relay.client();
    const optional = await client.allocate({ extra: [{ type: 0x80aa, value: Buffer.from('x') }] });
    assert.ok(optional.relayed.port >= 50090);
    const required = await client.transact(METHOD.BINDING, [{ type: 0x0077, value: Buffer.from('y') }], { authenticate: false });
    assert.is(errorCode(required), 420);
  } finally {
    await relay.close();
  }
});

d7('survives malformed datagrams and still allocates afterwards', async () => {
  const relay = await startNodeTurn([50095, 50099]);
  const socket = createSocket('udp4');
  try {
    const valid = encodeMessage({ method: METHOD.ALLOCATE, cls: CLASS.REQUEST, attributes: [{ type: ATTR.LIFETIME, value: u32(5) }] });
    const FUZZ_DATAGRAMS = 3000;
    for (let i = 0; i < FUZZ_DATAGRAMS; i += 1) {
      const packet = i % 2 === 0 ? crypto.randomBytes(1 + (i % 120)) : Buffer.from(valid);
      if (i % 2 === 1) for (let j = 0; j < 3; j += 1) packet[20 + ((i * 7 + j) % (packet.length - 20))] = i & 0xff;
      if (i % 3 === 0) packet[0] = 0x40; // looks like ChannelData
      socket.send(packet, relay.address.port, '127.0.0.1');
      // The relay catches up every 200 datagrams, so the socket buffer never overflows.
      if (i % 200 === 0) await handledSoFarFrom(socket, relay.address);
    }
    await handledSoFarFrom(socket, relay.address);
    const result = await (await relay.client()).allocate();
    assert.ok(result.relayed.port >= 50095);
  } finally {
    socket.close();
    await relay.close();
  }
});

d7.run();

// ---------------------------------------------------------------------------------------------
const d8 = suite('defect 8: start and stop');

d8('start() rejects when the listening port is already in use', async () => {
  const holder = createSocket('udp4');
  await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', () => resolve()));
  const server = new NodeTurnServer({
    listeningIps: ['127.0.0.1'],
    listeningPort: holder.address().port,
    authMech: 'long-term',
    debugLevel: 'OFF',
    log: () => {},
  });
  try {
    const started = server.start() as unknown;
    assert.ok(started instanceof Promise, 'start() returns a promise');
    let failed = false;
    await withTimeout(started, 2000, 'start').catch(() => (failed = true));
    assert.ok(failed, 'start() rejects on EADDRINUSE');
  } finally {
    holder.close();
    server.network.sockets.forEach((s) => {
      try {
        s.close();
      } catch {
        // already closed by a patched start()
      }
    });
  }
});

d8('stop() closes every relay socket', async () => {
  const relay = await startNodeTurn([50100, 50104]);
  const client = await relay.client();
  const { relayed } = await client.allocate();
  await client.close();
  const stopped = relay.server.stop() as unknown;
  assert.ok(stopped instanceof Promise, 'stop() returns a promise');
  await withTimeout(stopped, 2000, 'stop');
  assert.ok(await isPortFree(relayed.port));
  assert.ok(await isPortFree(relay.address.port));
});

d8.run();

// ---------------------------------------------------------------------------------------------
const d9 = suite('defect 9: nonces, integrity, channel expiry, logging');

d9('stores no state and starts no timer per unauthenticated request', async () => {
  const relay = await startNodeTurn([50105, 50109]);
  const socket = createSocket('udp4');
  let answers = 0;
  socket.on('message', () => (answers += 1));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  try {
    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const FLOOD = 5000;
    for (let i = 0; i < FLOOD; i += 1) {
      socket.send(
        encodeMessage({
          method: METHOD.ALLOCATE,
          cls: CLASS.REQUEST,
          attributes: [{ type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) }],
        }),
        relay.address.port,
        '127.0.0.1',
      );
      if (i % 50 === 0) await handledSoFarFrom(socket, relay.address);
    }
    await handledSoFarFrom(socket, relay.address);
    assert.ok(answers > FLOOD / 4, `the relay answered (${answers})`);
    const timersAfter = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    assert.ok(timersAfter - timersBefore < 10, `timers grew by ${timersAfter - timersBefore}`);
    const nonces = (relay.server as unknown as { authentification: { nonces?: object } }).authentification.nonces ?? {};
    assert.ok(Object.keys(nonces).length < 10, 'no nonce table grows with requests');
  } finally {
    socket.close();
    await relay.close();
  }
});

d9('draws nonces from a CSPRNG, not Math.random', async () => {
  const relay = await startNodeTurn([50110, 50114]);
  const random = Math.random;
  Math.random = () => 0.5;
  try {
    const client = await relay.client(null);
    const request = [{ type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) }];
    const first = await client.transact(METHOD.ALLOCATE, request, { authenticate: false });
    const second = await client.transact(METHOD.ALLOCATE, request, { authenticate: false });
    const a = attribute(first, ATTR.NONCE)?.toString();
    const b = attribute(second, ATTR.NONCE)?.toString();
    assert.ok(a !== undefined && b !== undefined);
    assert.is.not(a, b);
  } finally {
    Math.random = random;
    await relay.close();
  }
});

d9('accepts an expired-looking or forged nonce only with 438, and a fresh nonce still works', async () => {
  const relay = await startNodeTurn([50115, 50119]);
  try {
    const client = await relay.client();
    await client.allocate();
    const forged = encodeMessage({
      method: METHOD.REFRESH,
      cls: CLASS.REQUEST,
      attributes: [
        { type: ATTR.LIFETIME, value: u32(600) },
        { type: ATTR.USERNAME, value: Buffer.from(USER.username) },
        { type: ATTR.REALM, value: attribute(first(client.responses, 'response'), ATTR.REALM) ?? Buffer.alloc(0) },
        { type: ATTR.NONCE, value: Buffer.from('0000000000000000forged') },
      ],
      integrityKey: client.integrityKey as Buffer,
    });
    const answer = await client.exchange(forged, forged.subarray(8, 20), 2000);
    assert.is(errorCode(answer), 438);
    assert.is(await client.refresh(600), 600);
  } finally {
    await relay.close();
  }
});

d9('compares MESSAGE-INTEGRITY with crypto.timingSafeEqual', async () => {
  const relay = await startNodeTurn([50120, 50124]);
  const original = crypto.timingSafeEqual;
  let calls = 0;
  crypto.timingSafeEqual = ((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    calls += 1;
    return original(a, b);
  }) as typeof crypto.timingSafeEqual;
  try {
    const client = await relay.client();
    const before = calls;
    await client.allocate();
    assert.ok(calls > before, 'timingSafeEqual was used to check the request');
  } finally {
    crypto.timingSafeEqual = original;
    await relay.close();
  }
});

d9('expires a channel binding that is not refreshed', async () => {
  const relay = await startNodeTurn([50125, 50129], { channelLifetime: 1, permissionLifetime: 300 });
  const peer = await openUdpPeer();
  try {
    const client = await relay.client();
    const { relayed } = await client.allocate();
    assert.is(errorCode(await client.channelBind(CHANNEL, { address: '127.0.0.1', port: peer.port })), null);
    // Each datagram from the peer arrives, on the channel until it expires, then as a Data indication.
    let sent = 0;
    await waitUntil(
      async () => {
        sent += 1;
        peer.socket.send(Buffer.from(`datagram-${sent}`), relayed.port, '127.0.0.1');
        const delivery = await client.nextData(DATA_TIMEOUT_MS);
        assert.ok(delivery !== null, 'the permission outlives the channel');
        assert.is(delivery.data.toString(), `datagram-${sent}`);
        return delivery.channel === null;
      },
      'data from the peer to come as a Data indication once the channel expired',
      EXPIRY_TIMEOUT_MS,
    );
    assert.ok(sent > 1, 'the channel carried data before it expired');
  } finally {
    await peer.close();
    await relay.close();
  }
});

d9('expires a permission that is not refreshed', async () => {
  const relay = await startNodeTurn([50130, 50134], { permissionLifetime: 1 });
  const peer = await openUdpPeer();
  // Permissions are per IP address: a second peer on another loopback address keeps its own.
  const witness = await openUdpPeer('127.0.0.2');
  try {
    const client = await relay.client();
    const { relayed } = await client.allocate();
    assert.is(errorCode(await client.createPermission([{ address: '127.0.0.1', port: peer.port }])), null);
    peer.socket.send(Buffer.from('early'), relayed.port, '127.0.0.1');
    assert.is((await client.nextData(DATA_TIMEOUT_MS))?.data.toString(), 'early');
    const [allocation] = Object.values(internals(relay.server).allocations);
    assert.ok(allocation !== undefined);
    await waitUntil(() => !allocation.hasPermission('127.0.0.1'), 'the permission to expire', EXPIRY_TIMEOUT_MS);
    assert.is(errorCode(await client.createPermission([{ address: '127.0.0.2', port: witness.port }])), null);
    // The expired peer sends first, the permitted one after: the first thing relayed must be the second.
    peer.socket.send(Buffer.from('late'), relayed.port, '127.0.0.1');
    witness.socket.send(Buffer.from('witness'), relayed.port, '127.0.0.1');
    assert.is((await client.nextData(DATA_TIMEOUT_MS))?.data.toString(), 'witness');
  } finally {
    await witness.close();
    await peer.close();
    await relay.close();
  }
});

d9('logs no peer address, port or payload even at the most verbose level', async () => {
  const lines: string[] = [];
  const relay = await startNodeTurn([50135, 50139], { debugLevel: 'ALL', log: (line) => lines.push(String(line)) });
  const peer = await openUdpPeer();
  try {
    const client = await relay.client();
    const { relayed } = await client.allocate();
    await client.createPermission([{ address: '127.0.0.1', port: peer.port }]);
    client.sendIndication({ address: '127.0.0.1', port: peer.port }, Buffer.from('secret-payload'));
    assert.ok((await peer.next(DATA_TIMEOUT_MS)) !== null);
    peer.socket.send(Buffer.from('secret-answer'), relayed.port, '127.0.0.1');
    assert.ok((await client.nextData(DATA_TIMEOUT_MS)) !== null);
    await client.channelBind(CHANNEL, { address: '127.0.0.1', port: peer.port });
    client.sendChannelData(CHANNEL, Buffer.from('secret-channel'));
    await peer.next(DATA_TIMEOUT_MS);
    const text = lines.join('\n');
    assert.not.ok(text.includes(String(peer.port)), 'peer port logged');
    assert.not.ok(text.includes('secret'), 'payload logged');
    assert.not.ok(text.includes(Buffer.from('secret').toString('hex')), 'payload logged as hex');
    assert.not.ok(text.includes(USER.password), 'password logged');
  } finally {
    await peer.close();
    await relay.close();
  }
});

d9.run();

// ---------------------------------------------------------------------------------------------
const d10 = suite('defect 10: peer ports, attribute lengths, address families, contained handlers');

d10('answers 403 to ChannelBind for a peer on port 0, and survives ChannelData on that channel', async () => {
  const relay = await startNodeTurn([50145, 50149]);
  const peer = await openUdpPeer();
  try {
    const client = await relay.client();
    await client.allocate();
    const refused = errorCode(await client.channelBind(CHANNEL, { address: '127.0.0.1', port: 0 }));
    // On a relay that accepted the channel, this threw ERR_SOCKET_BAD_PORT out of the handler.
    client.sendChannelData(CHANNEL, Buffer.from('to-port-zero'));
    // The ChannelBind below is handled after that ChannelData: same client, same order.
    assert.is(errorCode(await client.channelBind(CHANNEL + 1, { address: '127.0.0.1', port: peer.port })), null);
    client.sendChannelData(CHANNEL + 1, Buffer.from('after'));
    assert.is((await peer.next(DATA_TIMEOUT_MS))?.data.toString(), 'after');
    assert.is(refused, 403);
  } finally {
    await peer.close();
    await relay.close();
  }
});

d10('drops a Send indication to port 0 without trying to send it', async () => {
  const lines: string[] = [];
  const relay = await startNodeTurn([50150, 50154], { debugLevel: 'ERROR', log: (line) => lines.push(String(line)) });
  try {
    const client = await relay.client();
    await client.allocate();
    assert.is(errorCode(await client.createPermission([{ address: '127.0.0.1', port: 0 }])), null, 'a permission is per IP address');
    client.sendIndication({ address: '127.0.0.1', port: 0 }, Buffer.from('to-port-zero'));
    assert.is(await client.refresh(600), 600, 'the relay answers afterwards');
    assert.equal(lines, [], 'no send was attempted, so nothing failed');
  } finally {
    await relay.close();
  }
});

d10('answers 400 to a signed CreatePermission or ChannelBind whose XOR-PEER-ADDRESS is shorter than its family needs', async () => {
  const relay = await startNodeTurn([50155, 50159]);
  try {
    const client = await relay.client();
    await client.allocate();
    const cut = (transactionId: Buffer) => ({
      type: ATTR.XOR_PEER_ADDRESS,
      value: encodeXorAddress({ address: '127.0.0.1', port: 9 }, transactionId).subarray(0, 4),
    });
    const permission = await client.transact(METHOD.CREATE_PERMISSION, (transactionId) => [
      cut(transactionId),
      { type: ATTR.XOR_PEER_ADDRESS, value: encodeXorAddress({ address: '127.0.0.1', port: 9 }, transactionId) },
    ]);
    assert.is(errorCode(permission), 400);
    assert.ok(hasValidIntegrity(permission, client.integrityKey as Buffer), 'the 400 is signed for an authenticated sender');
    const bind = await client.transact(METHOD.CHANNEL_BIND, (transactionId) => [
      cut(transactionId),
      { type: ATTR.CHANNEL_NUMBER, value: Buffer.from([0x40, 0x01, 0, 0]) },
    ]);
    assert.is(errorCode(bind), 400);
    const lifetime = await client.transact(METHOD.REFRESH, [{ type: ATTR.LIFETIME, value: Buffer.from([0, 0]) }]);
    assert.is(errorCode(lifetime), 400, 'any fixed-size attribute of another size');
  } finally {
    await relay.close();
  }
});

d10('answers 443 to CreatePermission and ChannelBind for a peer of the other address family', async () => {
  const relay = await startNodeTurn([50160, 50164]);
  try {
    const client = await relay.client();
    await client.allocate();
    assert.is(errorCode(await client.createPermission([{ address: '2001:4860:4860::8888', port: 9 }])), 443);
    assert.is(errorCode(await client.channelBind(CHANNEL, { address: '2001:4860:4860::8888', port: 9 })), 443);
  } finally {
    await relay.close();
  }
});

d10("ends only the sender's allocation when the ChannelData path throws, over UDP and TCP", async () => {
  const relay = await startNodeTurn([50165, 50169], { tcp: true });
  const tcp = await TcpTurnClient.open(relay.address, USER);
  try {
    const udp = await relay.client();
    await udp.allocate();
    await tcp.allocate();
    const original = internals(relay.server).handleChannelData;
    internals(relay.server).handleChannelData = () => {
      throw new Error('a fault in the ChannelData path');
    };
    udp.sendChannelData(CHANNEL, Buffer.from('x'));
    tcp.sendChannelData(CHANNEL, Buffer.from('x'));
    await waitUntil(() => relay.server.allocationCount() === 0, "both senders' allocations to end");
    internals(relay.server).handleChannelData = original;
    assert.is(relay.server.allocationCount(), 0, "both senders' allocations ended");
    const other = await (await relay.client(OTHER_USER)).allocate();
    assert.ok(other.relayed.port >= 50165, 'the relay still allocates');
  } finally {
    await tcp.close();
    await relay.close();
  }
});

d10("ends only the receiving allocation when relaying a peer's datagram throws", async () => {
  const relay = await startNodeTurn([50170, 50174]);
  const peer = await openUdpPeer();
  try {
    const client = await relay.client();
    const { relayed } = await client.allocate();
    for (const allocation of Object.values(internals(relay.server).allocations)) {
      allocation.hasPermission = () => {
        throw new Error('a fault in the peer path');
      };
    }
    peer.socket.send(Buffer.from('from-peer'), relayed.port, '127.0.0.1');
    await waitUntil(() => relay.server.allocationCount() === 0, 'the receiving allocation to end');
    assert.ok(await isPortFree(relayed.port), 'its relay port was freed');
    assert.ok((await (await relay.client(OTHER_USER)).allocate()).relayed.port >= 50170);
  } finally {
    await peer.close();
    await relay.close();
  }
});

d10.run();

// ---------------------------------------------------------------------------------------------
const d11 = suite('defect 11: TCP framing and connections, allocation bookkeeping');

d11('frames a STUN message that arrives in many TCP chunks without re-copying the buffered bytes', async () => {
  const relay = await startNodeTurn([50175, 50179], { tcp: true });
  const [tcpServer] = relay.server.network.tcpServers;
  const accepted = new Promise<import('node:net').Socket>((resolve) => tcpServer?.once('connection', resolve));
  const client = connect({ host: '127.0.0.1', port: relay.address.port });
  client.on('error', () => {});
  try {
    const serverSide = await withTimeout(accepted, ACCEPT_TIMEOUT_MS, 'the relay to accept');
    // A Binding request padded to 30 KB with a comprehension-optional attribute it ignores.
    const request = encodeMessage({ method: METHOD.BINDING, cls: CLASS.REQUEST, attributes: [{ type: 0x8fff, value: Buffer.alloc(30_000, 1) }] });
    const answered = new Promise<Buffer>((resolve) => client.once('data', resolve));
    const concat = Buffer.concat;
    const copy = Buffer.prototype.copy;
    let copiedBytes = 0;
    Buffer.concat = (list, total) => {
      const out = concat(list, total);
      copiedBytes += out.length;
      return out;
    };
    Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<Buffer['copy']>) {
      const copied = copy.apply(this, args);
      copiedBytes += copied;
      return copied;
    };
    try {
      // Emitted on the relay's own socket, so each piece is one chunk whatever the kernel merges.
      for (let at = 0; at < request.length; at += 500) serverSide.emit('data', request.subarray(at, at + 500));
    } finally {
      Buffer.concat = concat;
      Buffer.prototype.copy = copy;
    }
    const answer = await withTimeout(answered, DATA_TIMEOUT_MS, 'the Binding answer');
    assert.is(answer.readUInt16BE(0), 0x0101, 'Binding success');
    assert.ok(copiedBytes <= 2 * request.length, `copied ${copiedBytes} bytes for a ${request.length}-byte frame`);
  } finally {
    client.destroy();
    await relay.close();
  }
});

d11('caps TCP connections per client key and closes one without an authenticated request in time', async () => {
  const relay = await startNodeTurn([50180, 50184], { tcp: true, maxTcpConnectionsPerClient: 2, tcpAuthTimeout: 1, tcpClientKey: () => 'everyone' });
  const sockets: import('node:net').Socket[] = [];
  const open = async (): Promise<{ closed: Promise<void> }> => {
    const socket = connect({ host: '127.0.0.1', port: relay.address.port });
    sockets.push(socket);
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await withTimeout(new Promise<void>((resolve) => socket.once('connect', () => resolve())), DATA_TIMEOUT_MS, 'TCP connect');
    return { closed };
  };
  try {
    const authenticated = await TcpTurnClient.open(relay.address, USER);
    sockets.push(authenticated.socket);
    await authenticated.allocate();
    const silent = await open();
    const third = await open();
    await withTimeout(third.closed, DATA_TIMEOUT_MS, 'the third connection of one client to be closed');
    await withTimeout(silent.closed, 5000, 'the silent connection to be closed at its deadline');
    assert.not.ok(authenticated.socket.destroyed);
    assert.ok((await authenticated.refresh(600)) > 0);
  } finally {
    for (const socket of sockets) socket.destroy();
    await relay.close();
  }
});

d11('asks the allocation gate, answers its refusal and releases each admitted allocation once', async () => {
  const admitted: string[] = [];
  const released: string[] = [];
  const allocationGate = {
    admit: (username: string | undefined) => {
      if (username === OTHER_USER.username) return { code: 486, reason: 'Allocation Quota Reached' };
      admitted.push(username ?? '');
      return null;
    },
    release: (username: string | undefined) => void released.push(username ?? ''),
  };
  const relay = await startNodeTurn([50185, 50189], { allocationGate });
  try {
    await (await relay.client()).allocate();
    await (await relay.client()).allocate();
    let refused: number | null = null;
    await (await relay.client(OTHER_USER)).allocate().catch((error: { code?: number }) => (refused = error.code ?? null));
    assert.is(refused, 486);
    assert.is(relay.server.allocationCount(USER.username), 2);
    relay.server.removeUser(USER.username);
    assert.is(relay.server.allocationCount(), 0);
    assert.equal(admitted, [USER.username, USER.username]);
    assert.equal(released, [USER.username, USER.username], 'each allocation released once when revoked');
  } finally {
    await relay.close();
  }
});

d11.run();

// ---------------------------------------------------------------------------------------------
const d12 = suite('defect 12: relay-to-relay traffic');

d12('reaches an allocation from another of the relay only from a relayed address permitted with its port, and as relayPairGate allows', async () => {
  const pairs: Array<[string | undefined, string | undefined]> = [];
  const relay = await startNodeTurn([50190, 50198], {
    relayPairGate: (from, to) => {
      pairs.push([from, to]);
      return from === to;
    },
  });
  try {
    const a = await relay.client();
    const { relayed: atA } = await a.allocate();
    const b = await relay.client();
    const { relayed: atB } = await b.allocate();
    const otherPort = await relay.client();
    await otherPort.allocate();
    const otherUser = await relay.client(OTHER_USER);
    const { relayed: atOther } = await otherUser.allocate();
    // B permits A's relayed address and the other user's: a permission is per IP address, and
    // all four share the relay's.
    assert.is(errorCode(await b.createPermission([atA, atOther])), null);
    for (const sender of [otherPort, otherUser]) {
      assert.is(errorCode(await sender.createPermission([atB])), null);
      sender.sendIndication(atB, Buffer.from('injected'));
    }
    assert.is(errorCode(await a.createPermission([atB])), null);
    a.sendIndication(atB, Buffer.from('from-a'));
    const got = await b.nextData(DATA_TIMEOUT_MS);
    assert.is(got?.data.toString(), 'from-a', 'the first datagram B gets is A’s');
    assert.ok(
      pairs.some(([from, to]) => from === OTHER_USER.username && to === USER.username),
      'the gate was asked about the other user',
    );
  } finally {
    await relay.close();
  }
});

d12.run();
