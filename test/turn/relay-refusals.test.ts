// The project's relay (server/turn/relay.ts) refusing what it cannot or must not serve, over UDP
// and TCP: peers on port 0 (which once ended the process at the first ChannelData), malformed
// address attributes inside correctly signed requests, and peers of the other address family.
// Every test ends by showing the relay still relays. Relay ports: 50320-50399.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Logger } from '../../server/log.js';
import type { Relay } from '../../server/turn/relay.js';
import { loopbackRelayOptions, startTestRelay } from '../helpers/relay.js';
import { ATTR, METHOD, encodeXorAddress, errorCode, type TransportAddress } from '../../server/turn/stun.js';
import { TurnClient, type Credentials } from '../../server/turn/client.js';
import { TcpTurnClient } from './helpers/tcp-turn.js';
import { handledSoFar } from './helpers/node-turn-fixture.js';
import { openUdpPeer } from './helpers/udp-peer.js';

const DATA_TIMEOUT_MS = 1000;
const USER: Credentials = { username: 'refusals-user', password: 'refusals-password' };
const PORT_ZERO: TransportAddress = { address: '127.0.0.1', port: 0 };
/** Public addresses: the deny-list lets them through, so only the check under test refuses. */
const PUBLIC_V4: TransportAddress = { address: '8.8.8.8', port: 9 };
const PUBLIC_V6: TransportAddress = { address: '2001:4860:4860::8888', port: 9 };

type Running = { relay: Relay; errors: string[]; server: TransportAddress };

/** A logger that keeps only error lines: a contained handler exception is logged at error. */
function errorRecorder(errors: string[]): Logger {
  return { debug() {}, info() {}, warn() {}, error: (_category, message) => void errors.push(message) };
}

async function withRelay(range: readonly [number, number], body: (running: Running) => Promise<void>): Promise<void> {
  const errors: string[] = [];
  // Every peer of these tests is on loopback: the test-only allow-list lets the relay reach it.
  const options = loopbackRelayOptions(range, { allowedPeers: ['127.0.0.0/8'] });
  const relay = await startTestRelay(options, errorRecorder(errors));
  relay.addUser(USER.username, USER.password);
  try {
    await body({ relay, errors, server: { address: '127.0.0.1', port: relay.port } });
  } finally {
    await relay.stop();
  }
}

/** The relay still allocates and relays both ways between a fresh client and a loopback peer. */
async function assertStillRelays(server: TransportAddress): Promise<void> {
  const peer = await openUdpPeer('127.0.0.1');
  const client = await TurnClient.open(server, USER);
  try {
    const { relayed } = await client.allocate();
    assert.is(errorCode(await client.channelBind(0x4000, { address: '127.0.0.1', port: peer.port })), null);
    client.sendChannelData(0x4000, Buffer.from('still-relaying'));
    assert.is((await peer.next(DATA_TIMEOUT_MS))?.data.toString(), 'still-relaying');
    peer.socket.send(Buffer.from('and-back'), relayed.port, '127.0.0.1');
    assert.is((await client.nextData(DATA_TIMEOUT_MS))?.data.toString(), 'and-back');
  } finally {
    await client.close();
    await peer.close();
  }
}

const portZero = suite('relay: peers on port 0');

/** The two transports a client reaches the relay over, each with its own relay port range. */
const TRANSPORTS = [
  { name: 'UDP', open: (server: TransportAddress) => TurnClient.open(server, USER), range: [50320, 50329] },
  { name: 'TCP', open: (server: TransportAddress) => TcpTurnClient.open(server, USER), range: [50330, 50339] },
] as const;

for (const transport of TRANSPORTS) {
  portZero(`refuses a channel to port 0 over ${transport.name} and keeps serving after ChannelData on that channel`, async () => {
    await withRelay(transport.range, async ({ relay, errors, server }) => {
      const client = await transport.open(server);
      try {
        await client.allocate();
        const refused = errorCode(await client.channelBind(0x4000, PORT_ZERO));
        // Sent whatever the answer: on a relay that accepted the channel, this ended the process.
        client.sendChannelData(0x4000, Buffer.from('to-port-zero'));
        await handledSoFar(client);
        assert.ok(relay.isListening());
        assert.is(errorCode(await client.createPermission([PORT_ZERO])), null, 'the allocation itself lives on');
        await assertStillRelays(server);
        assert.is(refused, 403);
        assert.equal(errors, [], 'refused by the peer check, not caught at send time');
      } finally {
        await client.close();
      }
    });
  });
}

portZero('permits the address of a port-0 peer (permissions are per IP) but drops Send indications to port 0, over UDP and TCP', async () => {
  await withRelay([50340, 50349], async ({ relay, errors, server }) => {
    const udp = await TurnClient.open(server, USER);
    const tcp = await TcpTurnClient.open(server, USER);
    try {
      await udp.allocate();
      await tcp.allocate();
      assert.is(errorCode(await udp.createPermission([PORT_ZERO])), null);
      assert.is(errorCode(await tcp.createPermission([PORT_ZERO])), null);
      udp.sendIndication(PORT_ZERO, Buffer.from('to-port-zero'));
      tcp.sendIndication(PORT_ZERO, Buffer.from('to-port-zero'));
      await Promise.all([handledSoFar(udp), handledSoFar(tcp)]);
      assert.ok(relay.isListening());
      assert.is(relay.allocationCount(USER.username), 2, 'neither allocation was dropped');
      await assertStillRelays(server);
      assert.equal(errors, [], 'dropped by the peer check, not caught at send time');
    } finally {
      await tcp.close();
      await udp.close();
    }
  });
});

portZero.run();

const malformed = suite('relay: malformed address attributes');

/** An XOR-PEER-ADDRESS cut after family and port: the address bytes are missing. */
const truncatedPeer = (transactionId: Buffer): { type: number; value: Buffer } => ({
  type: ATTR.XOR_PEER_ADDRESS,
  value: encodeXorAddress(PUBLIC_V4, transactionId).subarray(0, 4),
});

malformed('answers 400 to a signed CreatePermission whose XOR-PEER-ADDRESS is truncated, instead of reading the next attribute as the address', async () => {
  await withRelay([50350, 50359], async ({ server }) => {
    const client = await TurnClient.open(server, USER);
    try {
      await client.allocate();
      // The next attribute's header would decode as 33.0.164.74, a public address.
      const response = await client.transact(METHOD.CREATE_PERMISSION, (transactionId) => [
        truncatedPeer(transactionId),
        { type: ATTR.XOR_PEER_ADDRESS, value: encodeXorAddress(PUBLIC_V4, transactionId) },
      ]);
      assert.is(errorCode(response), 400);
      await assertStillRelays(server);
    } finally {
      await client.close();
    }
  });
});

malformed('answers 400 to a signed ChannelBind whose XOR-PEER-ADDRESS is truncated, over UDP and TCP', async () => {
  await withRelay([50360, 50369], async ({ server }) => {
    const udp = await TurnClient.open(server, USER);
    const tcp = await TcpTurnClient.open(server, USER);
    try {
      await udp.allocate();
      await tcp.allocate();
      const request = (transactionId: Buffer): Array<{ type: number; value: Buffer }> => [
        truncatedPeer(transactionId),
        { type: ATTR.CHANNEL_NUMBER, value: Buffer.from([0x40, 0x00, 0, 0]) },
      ];
      assert.is(errorCode(await udp.transact(METHOD.CHANNEL_BIND, request)), 400);
      assert.is(errorCode(await tcp.transact(METHOD.CHANNEL_BIND, request)), 400);
    } finally {
      await tcp.close();
      await udp.close();
    }
  });
});

malformed('answers 400 to an address of an unknown family, or of a size its family does not have', async () => {
  await withRelay([50370, 50379], async ({ server }) => {
    const client = await TurnClient.open(server, USER);
    try {
      await client.allocate();
      const withFamily = (family: number, size: number) => (transactionId: Buffer) => {
        const value = Buffer.alloc(size);
        encodeXorAddress(PUBLIC_V6, transactionId).copy(value, 0, 0, Math.min(size, 20));
        value[1] = family;
        return [{ type: ATTR.XOR_PEER_ADDRESS, value }];
      };
      assert.is(errorCode(await client.transact(METHOD.CREATE_PERMISSION, withFamily(3, 20))), 400, 'unknown family');
      assert.is(errorCode(await client.transact(METHOD.CREATE_PERMISSION, withFamily(1, 20))), 400, 'IPv4 in 20 bytes');
      assert.is(errorCode(await client.transact(METHOD.CREATE_PERMISSION, withFamily(2, 8))), 400, 'IPv6 in 8 bytes');
      assert.is(errorCode(await client.transact(METHOD.CREATE_PERMISSION, withFamily(1, 8))), null, 'a well-formed IPv4 peer still passes');
    } finally {
      await client.close();
    }
  });
});

malformed.run();

const family = suite('relay: peer address family');

family('answers 443 to CreatePermission and ChannelBind for an IPv6 peer of an IPv4 allocation, over UDP and TCP', async () => {
  await withRelay([50380, 50389], async ({ server }) => {
    const udp = await TurnClient.open(server, USER);
    const tcp = await TcpTurnClient.open(server, USER);
    try {
      await udp.allocate();
      await tcp.allocate();
      assert.is(errorCode(await udp.createPermission([PUBLIC_V6])), 443);
      assert.is(errorCode(await udp.channelBind(0x4000, PUBLIC_V6)), 443);
      assert.is(errorCode(await tcp.createPermission([PUBLIC_V6])), 443);
      assert.is(errorCode(await tcp.channelBind(0x4000, PUBLIC_V6)), 443);
      assert.is(errorCode(await udp.createPermission([PUBLIC_V4])), null, 'a peer of its own family is permitted');
      assert.is(errorCode(await udp.createPermission([{ address: '::1', port: 9 }])), 403, 'a reserved address is forbidden whatever its family');
    } finally {
      await tcp.close();
      await udp.close();
    }
  });
});

family.run();
