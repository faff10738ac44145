// The project's relay (server/turn/relay.ts) and credential service on loopback.
// Relay ports: 50200-50319.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket } from 'node:dgram';
import { makeCertificate } from '../helpers/certificate.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket as TcpSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { silentLogger } from '../../server/log.js';
import { createEmbeddedCredentials, createExternalCredentials, embeddedTurnUrls, restPassword } from '../../server/turn/credentials.js';
import { startRelay, type Relay, type RelayOptions } from '../../server/turn/relay.js';
import { startTestRelay } from '../helpers/relay.js';
import {
  ATTR,
  CLASS,
  METHOD,
  TRANSPORT_UDP,
  attribute,
  decodeMessage,
  encodeMessage,
  errorCode,
  longTermKey,
  type StunMessage,
} from '../../server/turn/stun.js';
import { TurnClient, type Credentials } from '../../server/turn/client.js';
import { waitUntil } from '../helpers/wait.js';
import { handledSoFar, isPortFree, withTimeout } from './helpers/node-turn-fixture.js';
import { openUdpPeer } from './helpers/udp-peer.js';
import { first } from '../helpers/values.js';

const DATA_TIMEOUT_MS = 1000;
const USER: Credentials = { username: 'relay-test-user', password: 'relay-test-password' };

function options(range: [number, number], extra: Partial<RelayOptions> = {}): RelayOptions {
  return { host: '127.0.0.1', port: 0, relayPortMin: range[0], relayPortMax: range[1], externalIp: null, userQuota: 10, totalQuota: 50, ...extra };
}

async function withRelay(range: [number, number], extra: Partial<RelayOptions>, body: (relay: Relay, clients: TurnClient[]) => Promise<void>): Promise<void> {
  const relay = await startTestRelay(options(range, extra), silentLogger);
  relay.addUser(USER.username, USER.password);
  const clients: TurnClient[] = [];
  try {
    await body(relay, clients);
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
    await relay.stop();
  }
}

async function open(relay: Relay, clients: TurnClient[], credentials: Credentials = USER): Promise<TurnClient> {
  const client = await TurnClient.open({ address: '127.0.0.1', port: relay.port }, credentials);
  clients.push(client);
  return client;
}

const filtering = suite('relay peer filtering');

filtering('answers 403 to CreatePermission for reserved peers in every notation', async () => {
  await withRelay([50200, 50209], {}, async (relay, clients) => {
    const client = await open(relay, clients);
    await client.allocate();
    for (const address of [
      '127.0.0.2',
      '0.0.0.0',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:0.0.0.0',
      '::127.0.0.1',
      '10.0.0.5',
      '169.254.169.254',
      '192.168.0.1',
      '100.64.0.1',
      'fe80::1',
      'fd00::1',
      '224.0.0.1',
    ]) {
      assert.is(errorCode(await client.createPermission([{ address, port: 9 }])), 403, address);
    }
  });
});

filtering('never reaches a UDP service of the box itself, by Send or by ChannelBind', async () => {
  await withRelay([50210, 50219], {}, async (relay, clients) => {
    const victim = await openUdpPeer('127.0.0.1');
    try {
      const client = await open(relay, clients);
      await client.allocate();
      // The relay's own address may be permitted (relay-to-relay calls need it), but only relay ports are reachable.
      assert.is(errorCode(await client.createPermission([{ address: '127.0.0.1', port: victim.port }])), null);
      client.sendIndication({ address: '127.0.0.1', port: victim.port }, Buffer.from('probe'));
      assert.is(errorCode(await client.channelBind(0x4000, { address: '127.0.0.1', port: victim.port })), 403);
      assert.is(errorCode(await client.channelBind(0x4001, { address: '127.0.0.1', port: relay.port })), 403, 'the TURN port itself');
      // The relay handled the indication before answering the ChannelBinds; what it sent would be
      // queued at the victim ahead of a marker the victim sends itself now.
      victim.socket.send(Buffer.from('marker'), victim.port, '127.0.0.1');
      assert.is((await victim.next(DATA_TIMEOUT_MS))?.data.toString(), 'marker', 'nothing reached the loopback service');
    } finally {
      await victim.close();
    }
  });
});

filtering('relays between two allocations of this relay, as two relay-only browsers do', async () => {
  await withRelay([50220, 50229], {}, async (relay, clients) => {
    const a = await open(relay, clients);
    const b = await open(relay, clients);
    const relayedA = (await a.allocate()).relayed;
    const relayedB = (await b.allocate()).relayed;
    assert.is(errorCode(await a.channelBind(0x4000, relayedB)), null);
    assert.is(errorCode(await b.createPermission([relayedA])), null);
    a.sendChannelData(0x4000, Buffer.from('hello-b'));
    const got = await b.nextData(DATA_TIMEOUT_MS);
    assert.ok(got !== null);
    assert.is(got.data.toString(), 'hello-b');
    assert.equal(got.peer, relayedA);
  });
});

filtering('reaches a loopback peer only with the explicit allow-list', async () => {
  await withRelay([50230, 50239], { allowedPeers: ['127.0.0.0/8'] }, async (relay, clients) => {
    const peer = await openUdpPeer('127.0.0.1');
    try {
      const client = await open(relay, clients);
      await client.allocate();
      assert.is(errorCode(await client.channelBind(0x4000, { address: '127.0.0.1', port: peer.port })), null);
      client.sendChannelData(0x4000, Buffer.from('allowed'));
      assert.is((await peer.next(DATA_TIMEOUT_MS))?.data.toString(), 'allowed');
      assert.is(errorCode(await client.createPermission([{ address: '10.0.0.5', port: 9 }])), 403, 'the allow-list opens nothing else');
    } finally {
      await peer.close();
    }
  });
});

filtering('caps each allocation at its bandwidth in both directions', async () => {
  const CAP_BYTES_PER_S = 20_000;
  const PACKET_BYTES = 1000;
  const PACKETS = 100;
  /** No packet for this long: the relay has sent all it will (at the cap, one every 50 ms). */
  const QUIET_MS = 300;
  await withRelay([50300, 50304], { allowedPeers: ['127.0.0.0/8'], maxBytesPerSecond: CAP_BYTES_PER_S }, async (relay, clients) => {
    const peer = await openUdpPeer('127.0.0.1');
    try {
      const client = await open(relay, clients);
      const { relayed } = await client.allocate();
      assert.is(errorCode(await client.channelBind(0x4000, { address: '127.0.0.1', port: peer.port })), null);
      // 100 kB at once: one second's worth (the burst) gets through, the rest is dropped.
      for (let i = 0; i < PACKETS; i += 1) client.sendChannelData(0x4000, Buffer.alloc(PACKET_BYTES, i));
      // The relay has relayed or dropped each of them; what it relayed is queued at the peer,
      // ahead of a marker the peer then sends itself.
      await handledSoFar(client);
      peer.socket.send(Buffer.from('marker'), peer.port, '127.0.0.1');
      await waitUntil(() => peer.received.some((packet) => packet.data.toString() === 'marker'), 'the marker');
      const toPeer = peer.received.findIndex((packet) => packet.data.toString() === 'marker');
      assert.ok(toPeer >= 15 && toPeer <= 25, `client to peer: ${toPeer} of ${PACKETS} packets`);
      for (let i = 0; i < PACKETS; i += 1) peer.socket.send(Buffer.alloc(PACKET_BYTES, i), relayed.port, '127.0.0.1');
      let toClient = 0;
      // Nothing tells when the relay has gone through the peer's packets: count until it is quiet.
      while ((await client.nextData(QUIET_MS)) !== null) toClient += 1;
      assert.ok(toClient >= 15 && toClient <= 25, `peer to client: ${toClient} of ${PACKETS} packets`);
    } finally {
      await peer.close();
    }
  });
});

filtering.run();

const lifecycle = suite('relay life cycle');

lifecycle('passes its start-up self-test by relaying one packet through itself', async () => {
  await withRelay([50240, 50249], {}, async (relay) => {
    assert.is(relay.lastSelfTest(), null);
    const result = await relay.selfTest();
    assert.ok(result.ok, result.detail);
    assert.is(relay.lastSelfTest()?.ok, true);
    assert.is(relay.allocationCount(), 0, 'the self-test leaves no allocation behind');
  });
});

lifecycle('reports a failed self-test when relaying is impossible', async () => {
  await withRelay([50250, 50250], {}, async (relay) => {
    // One relay port: the second allocation cannot be made.
    const result = await relay.selfTest();
    assert.not.ok(result.ok);
    assert.ok(result.detail.length > 0);
  });
});

lifecycle('refuses to start on a port already in use', async () => {
  const holder = createSocket('udp4');
  await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', () => resolve()));
  try {
    let failed = false;
    await startRelay(options([50251, 50252], { port: holder.address().port }), silentLogger).then(
      (relay) => relay.stop(),
      () => (failed = true),
    );
    assert.ok(failed);
  } finally {
    holder.close();
  }
});

lifecycle('frees every relay port and the listening port on stop', async () => {
  const relay = await startTestRelay(options([50253, 50259]), silentLogger);
  relay.addUser(USER.username, USER.password);
  const client = await TurnClient.open({ address: '127.0.0.1', port: relay.port }, USER);
  const { relayed } = await client.allocate();
  await client.close();
  await relay.stop();
  assert.not.ok(relay.isListening());
  assert.ok(await isPortFree(relayed.port));
  assert.ok(await isPortFree(relay.port));
});

/** Sends one STUN request over a TCP connection and reads the one response frame. */
async function tcpRequest(socket: TcpSocket, raw: Buffer): Promise<StunMessage> {
  return withTimeout(
    new Promise<StunMessage>((resolve, reject) => {
      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 20 || buffered.length < 20 + buffered.readUInt16BE(2)) return;
        socket.off('data', onData);
        const message = decodeMessage(buffered);
        if (message === null) reject(new Error('not STUN'));
        else resolve(message);
      };
      socket.on('data', onData);
      socket.write(raw);
    }),
    2000,
    'TCP response',
  );
}

lifecycle('serves TURN over TCP on the same port, and ends a TCP allocation with its connection', async () => {
  await withRelay([50280, 50289], {}, async (relay) => {
    const socket = connect({ host: '127.0.0.1', port: relay.port });
    await withTimeout(new Promise<void>((resolve) => socket.once('connect', () => resolve())), 2000, 'TCP connect');
    try {
      const binding = await tcpRequest(socket, encodeMessage({ method: METHOD.BINDING, cls: CLASS.REQUEST }));
      assert.is(binding.cls, CLASS.SUCCESS);
      assert.ok(attribute(binding, ATTR.XOR_MAPPED_ADDRESS) !== undefined);
      const transport = { type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) };
      const challenge = await tcpRequest(socket, encodeMessage({ method: METHOD.ALLOCATE, cls: CLASS.REQUEST, attributes: [transport] }));
      assert.is(errorCode(challenge), 401);
      const realm = attribute(challenge, ATTR.REALM) ?? Buffer.alloc(0);
      const allocated = await tcpRequest(
        socket,
        encodeMessage({
          method: METHOD.ALLOCATE,
          cls: CLASS.REQUEST,
          attributes: [
            transport,
            { type: ATTR.USERNAME, value: Buffer.from(USER.username) },
            { type: ATTR.REALM, value: realm },
            { type: ATTR.NONCE, value: attribute(challenge, ATTR.NONCE) ?? Buffer.alloc(0) },
          ],
          integrityKey: longTermKey(USER.username, realm.toString(), USER.password),
        }),
      );
      assert.is(allocated.cls, CLASS.SUCCESS);
      assert.is(relay.allocationCount(USER.username), 1);
    } finally {
      socket.destroy();
    }
    await waitUntil(() => relay.allocationCount(USER.username) === 0, 'the allocation of the closed connection to end', 1000);
    assert.is(relay.allocationCount(USER.username), 0, 'closing the connection ended the allocation');
  });
});

lifecycle('serves TURN over TLS on its own port when a certificate is configured', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'porthello-turn-tls-'));
  try {
    const pair = makeCertificate(dir, 'localhost', 'DNS:localhost');
    const tls = { port: 0, cert: readFileSync(pair.cert), key: readFileSync(pair.key) };
    await withRelay([50305, 50309], { tls }, async (relay) => {
      assert.ok(relay.tlsPort !== null && relay.tlsPort !== relay.port);
      const socket = connectTls({ host: '127.0.0.1', port: relay.tlsPort, rejectUnauthorized: false });
      await withTimeout(new Promise<void>((resolve) => socket.once('secureConnect', () => resolve())), 2000, 'TLS handshake');
      try {
        const binding = await tcpRequest(socket, encodeMessage({ method: METHOD.BINDING, cls: CLASS.REQUEST }));
        assert.is(binding.cls, CLASS.SUCCESS);
        const challenge = await tcpRequest(
          socket,
          encodeMessage({
            method: METHOD.ALLOCATE,
            cls: CLASS.REQUEST,
            attributes: [{ type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) }],
          }),
        );
        assert.is(errorCode(challenge), 401);
      } finally {
        socket.destroy();
      }
      assert.equal(
        embeddedTurnUrls({ host: '127.0.0.1', externalIp: null, publicOrigin: 'https://call.example.org', port: relay.port, tcp: true, tlsPort: 5349 }).at(-1),
        'turns:call.example.org:5349?transport=tcp',
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

lifecycle('advertises the external address in relayed addresses behind 1:1 NAT, and still self-tests', async () => {
  await withRelay([50290, 50299], { externalIp: '198.51.100.20' }, async (relay, clients) => {
    assert.is(relay.advertisedHost, '198.51.100.20');
    const client = await open(relay, clients);
    const { relayed, mapped } = await client.allocate();
    assert.is(relayed.address, '198.51.100.20');
    assert.ok(relayed.port >= 50290 && relayed.port <= 50299);
    assert.is(mapped?.address, '127.0.0.1', 'the client sees its own address, not the external one');
    assert.is(errorCode(await client.createPermission([{ address: '198.51.100.20', port: 9 }])), null, 'relay-to-relay through the public address');
    assert.is(errorCode(await client.channelBind(0x4000, { address: '198.51.100.20', port: 22 })), 403, 'but no other port of the box');
    assert.ok((await relay.selfTest()).ok);
  });
});

lifecycle('keeps relay-to-relay traffic inside the box behind 1:1 NAT instead of relying on hairpinning', async () => {
  // The "external" address is another loopback address nothing listens on: a datagram sent
  // there instead of being kept inside is lost, and nothing leaves loopback either way.
  await withRelay([50310, 50319], { externalIp: '127.0.0.2' }, async (relay, clients) => {
    const a = await open(relay, clients);
    const b = await open(relay, clients);
    const relayedA = (await a.allocate()).relayed;
    const relayedB = (await b.allocate()).relayed;
    assert.is(relayedA.address, '127.0.0.2');
    assert.is(errorCode(await a.channelBind(0x4000, relayedB)), null);
    assert.is(errorCode(await b.createPermission([relayedA])), null);
    a.sendChannelData(0x4000, Buffer.from('a-to-b'));
    const atB = await b.nextData(DATA_TIMEOUT_MS);
    assert.is(atB?.data.toString(), 'a-to-b');
    assert.equal(atB?.peer, relayedA, 'B sees A at its advertised address');
    b.sendIndication(relayedA, Buffer.from('b-to-a'));
    const atA = await a.nextData(DATA_TIMEOUT_MS);
    assert.is(atA?.data.toString(), 'b-to-a');
    assert.is(atA?.channel, 0x4000, 'A receives B on the channel bound to B advertised address');
  });
});

lifecycle.run();

const credentials = suite('TURN credentials');

credentials('mints opaque per-participant credentials in RTCConfiguration shape', () => {
  const added: string[] = [];
  const service = createEmbeddedCredentials({
    relay: { addUser: (username) => added.push(username), removeUser: () => {}, allocationCount: () => 0 },
    urls: ['turn:127.0.0.1:3478?transport=udp'],
    autoSweep: false,
  });
  // Ids long enough that a random username cannot contain them by chance (a two-digit id did, now and then).
  const callId = 'call-identifier-for-this-test';
  const config = service.issue({ callId, participantId: 'alice@example.org', relayOnly: true });
  assert.is(config.iceTransportPolicy, 'relay');
  assert.is(config.iceServers.length, 1);
  const server = first(config.iceServers, 'ICE server');
  assert.equal(server.urls, ['turn:127.0.0.1:3478?transport=udp']);
  assert.not.ok(server.username.includes('alice') || server.username.includes(callId), 'username reveals nothing');
  assert.ok(server.username.length >= 20 && server.credential.length >= 30);
  assert.equal(added, [server.username]);
  const other = service.issue({ callId, participantId: 'guest-1', relayOnly: false });
  assert.is(other.iceTransportPolicy, 'all');
  assert.is.not(first(other.iceServers, 'ICE server').username, server.username);
  service.close();
});

credentials('a credential works until its call is revoked, which ends its allocation', async () => {
  await withRelay([50260, 50269], {}, async (relay, clients) => {
    const service = createEmbeddedCredentials({ relay, urls: [], autoSweep: false });
    try {
      const config = service.issue({ callId: 'c1', participantId: 'p1', relayOnly: true });
      const server = first(config.iceServers, 'ICE server');
      const client = await open(relay, clients, { username: server.username, password: server.credential });
      const { relayed } = await client.allocate();
      assert.is(relay.allocationCount(server.username), 1);
      service.revokeCall('c1');
      assert.is(relay.allocationCount(server.username), 0);
      assert.ok(await isPortFree(relayed.port), 'revocation freed the relay port');
      const again = await open(relay, clients, { username: server.username, password: server.credential });
      let code: number | null = null;
      await again.allocate().catch((error: { code?: number }) => (code = error.code ?? null));
      assert.is(code, 401);
    } finally {
      service.close();
    }
  });
});

credentials('drops an unused credential after its TTL but keeps a used one until the call ends', async () => {
  await withRelay([50270, 50279], {}, async (relay, clients) => {
    let time = 1_000_000;
    const service = createEmbeddedCredentials({ relay, urls: [], autoSweep: false, now: () => time, unusedTtlMs: 60_000 });
    try {
      const unused = first(service.issue({ callId: 'c2', participantId: 'p1', relayOnly: false }).iceServers, 'ICE server');
      const used = first(service.issue({ callId: 'c2', participantId: 'p2', relayOnly: false }).iceServers, 'ICE server');
      await (await open(relay, clients, { username: used.username, password: used.credential })).allocate();
      time += 61_000;
      service.sweep();
      assert.is(service.size(), 1);
      let code: number | null = null;
      await (await open(relay, clients, { username: unused.username, password: unused.credential }))
        .allocate()
        .catch((error: { code?: number }) => (code = error.code ?? null));
      assert.is(code, 401, 'the unused credential expired');
      assert.ok((await (await open(relay, clients, { username: used.username, password: used.credential })).allocate()).relayed.port >= 50270);
      service.revokeCall('c2');
      assert.is(service.size(), 0);
    } finally {
      service.close();
    }
  });
});

credentials('mints TURN REST credentials for an external coturn', () => {
  const secret = 'a-shared-secret-of-at-least-32-characters';
  const service = createExternalCredentials({ urls: ['turns:turn.example.org:443?transport=tcp'], secret, now: () => 1_700_000_000_000, ttlS: 3600 });
  const config = service.issue({ callId: 'c', participantId: 'member-7', relayOnly: true });
  const server = first(config.iceServers, 'ICE server');
  const [expiry, opaque] = server.username.split(':');
  assert.is(Number(expiry), 1_700_000_000 + 3600);
  assert.ok(opaque !== undefined && opaque.length >= 20 && !opaque.includes('member'));
  assert.is(server.credential, restPassword(secret, server.username));
  assert.is(restPassword('key', 'user'), '7hn70X4egRo203m9RpFPlFr/D+0=', 'HMAC-SHA1, base64 (as openssl dgst -sha1 -hmac computes it)');
  assert.is(config.iceTransportPolicy, 'relay');
  // The self-test's credentials cannot be revoked either: they expire within minutes instead.
  const shortLived = first(service.issue({ callId: 's', participantId: 'first', relayOnly: true, maxLifetimeS: 300 }).iceServers, 'ICE server');
  assert.is(Number(shortLived.username.split(':')[0]), 1_700_000_000 + 300);
});

credentials('advertises the external address, or the public host for a wildcard listener', () => {
  assert.equal(embeddedTurnUrls({ host: '10.0.0.2', externalIp: '203.0.113.5', publicOrigin: 'https://call.example.org', port: 3478, tcp: false }), [
    'turn:203.0.113.5:3478?transport=udp',
  ]);
  assert.equal(embeddedTurnUrls({ host: '0.0.0.0', externalIp: null, publicOrigin: 'https://call.example.org', port: 3478, tcp: true }), [
    'turn:call.example.org:3478?transport=udp',
    'turn:call.example.org:3478?transport=tcp',
  ]);
  assert.equal(embeddedTurnUrls({ host: '::1', externalIp: null, publicOrigin: 'http://[::1]:8080', port: 3478, tcp: false }), [
    'turn:[::1]:3478?transport=udp',
  ]);
});

credentials.run();
