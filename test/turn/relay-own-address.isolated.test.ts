// The relay's own address is a peer on relay ports only, also on a box whose public address sits
// on its interface (no NAT): the deny-list of reserved ranges does not cover that address, so it
// took this check to keep the box's other UDP services (DNS, the TURN port...) out of reach.
//
// The test gives loopback a public address, which only makes sense inside a private network
// namespace whose only interface is loopback (scripts/run-tests.ts runs *.isolated.test.js files
// under `unshare -n`): nothing sent there can leave the machine. Relay ports: 53820-53829.
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TurnClient, type Credentials } from '../../server/turn/client.js';
import type { Logger } from '../../server/log.js';
import { startTestRelay } from '../helpers/relay.js';
import { errorCode } from '../../server/turn/stun.js';
import { openUdpPeer } from './helpers/udp-peer.js';

/** A public address (not in any reserved range), given to loopback inside the namespace only. */
const PUBLIC_HOST = '8.8.4.4';
const USER: Credentials = { username: 'own-address-user', password: 'own-address-password' };
const DATA_TIMEOUT_MS = 1000;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function assertIsolated(): void {
  const names = Object.keys(networkInterfaces());
  if (names.some((name) => name !== 'lo'))
    throw new Error(`refusing to put a public address on loopback outside a private network namespace (interfaces: ${names.join(', ')})`);
}

const own = suite('relay: its own public address on the interface');

own('refuses the box’s other ports on its own public address, and still relays relay port to relay port', async () => {
  assertIsolated();
  const added = spawnSync('ip', ['addr', 'add', `${PUBLIC_HOST}/32`, 'dev', 'lo']);
  assert.is(added.status, 0, `ip addr add: ${added.stderr.toString()}`);
  const relay = await startTestRelay(
    { host: PUBLIC_HOST, port: 0, relayPortMin: 53820, relayPortMax: 53829, externalIp: null, userQuota: 0, totalQuota: 0 },
    quiet,
  );
  relay.addUser(USER.username, USER.password);
  // Another UDP service of the box, on its public address.
  const service = await openUdpPeer(PUBLIC_HOST);
  const server = { address: PUBLIC_HOST, port: relay.port };
  const clients: TurnClient[] = [];
  try {
    const a = await TurnClient.open(server, USER, PUBLIC_HOST);
    clients.push(a);
    const b = await TurnClient.open(server, USER, PUBLIC_HOST);
    clients.push(b);
    const { relayed: atA } = await a.allocate();
    const { relayed: atB } = await b.allocate();
    assert.is(errorCode(await a.createPermission([{ address: PUBLIC_HOST, port: service.port }])), null, 'a permission is per address');
    assert.is(errorCode(await a.channelBind(0x4000, { address: PUBLIC_HOST, port: service.port })), 403, 'a channel to the box’s service');
    assert.is(errorCode(await a.channelBind(0x4001, { address: PUBLIC_HOST, port: relay.port })), 403, 'a channel to the TURN port itself');
    a.sendIndication({ address: PUBLIC_HOST, port: service.port }, Buffer.from('to-the-service'));
    // Relay to relay still works, and arrives after the refused Send was handled.
    assert.is(errorCode(await a.channelBind(0x4002, atB)), null);
    assert.is(errorCode(await b.createPermission([atA])), null);
    a.sendChannelData(0x4002, Buffer.from('relay-to-relay'));
    assert.is((await b.nextData(DATA_TIMEOUT_MS))?.data.toString(), 'relay-to-relay');
    assert.equal(service.received, [], 'the service got nothing');
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await service.close();
    await relay.stop();
    spawnSync('ip', ['addr', 'del', `${PUBLIC_HOST}/32`, 'dev', 'lo']);
  }
});

own.run();
