// The generated coturn configuration: its content, and coturn itself started with it refusing
// reserved peers. Needs the Debian package coturn for the last test (skipped without it).
// Relay ports: 50600-50619.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cidrToRange, coturnConfig } from '../../scripts/coturn-config.js';
import { createExternalCredentials } from '../../server/turn/credentials.js';
import { errorCode } from '../../server/turn/stun.js';
import { TurnClient } from '../../server/turn/client.js';
import { stopChild } from '../helpers/process.js';
import { waitForStun } from './helpers/node-turn-fixture.js';
import { first } from '../helpers/values.js';

const DAEMON_START_TIMEOUT_MS = 5000;

const HAVE_TURNSERVER = spawnSync('sh', ['-c', 'command -v turnserver']).status === 0;
if (!HAVE_TURNSERVER) process.stdout.write('turnserver missing: apt-get install -y coturn (the coturn test is skipped)\n');
const SECRET = 'config-test-secret-0123456789abcdefghijkl';
const BASE = { secret: SECRET, listeningPort: 3478, relayPortMin: 50600, relayPortMax: 50619, userQuota: 10, totalQuota: 200 };

const config = suite('coturn configuration');

config('writes CIDRs as coturn first-last ranges', () => {
  assert.is(cidrToRange('10.0.0.0/8'), '10.0.0.0-10.255.255.255');
  assert.is(cidrToRange('100.64.0.0/10'), '100.64.0.0-100.127.255.255');
  assert.is(cidrToRange('255.255.255.255/32'), '255.255.255.255-255.255.255.255');
  assert.is(cidrToRange('fe80::/10'), 'fe80:0:0:0:0:0:0:0-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  assert.is(cidrToRange('::1/128'), '0:0:0:0:0:0:0:1-0:0:0:0:0:0:0:1');
});

config('is hardened: REST secret, quotas, no CLI, no multicast, every reserved range denied', () => {
  const text = coturnConfig({ ...BASE, externalIp: '198.51.100.20', listeningIp: '10.0.0.2' });
  for (const line of [
    'use-auth-secret',
    `static-auth-secret=${SECRET}`,
    'no-cli',
    'no-multicast-peers',
    'no-tcp-relay',
    'user-quota=10',
    'total-quota=200',
    'min-port=50600',
    'max-port=50619',
    'no-software-attribute',
    'external-ip=198.51.100.20/10.0.0.2',
  ]) {
    assert.ok(text.split('\n').includes(line), line);
  }
  for (const range of [
    '127.0.0.0-127.255.255.255',
    '10.0.0.0-10.255.255.255',
    '::ffff:127.0.0.0-::ffff:127.255.255.255',
    '::127.0.0.0-::127.255.255.255',
    'fc00:0:0:0:0:0:0:0-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '198.51.100.20',
  ]) {
    assert.ok(text.includes(`denied-peer-ip=${range}\n`), range);
  }
  assert.not.ok(text.includes('allow-loopback-peers'));
  assert.not.ok(/^allowed-peer-ip/m.test(text));
});

const withCoturn = HAVE_TURNSERVER ? config : config.skip;

withCoturn('coturn started with it accepts Porthello credentials and answers 403 for reserved peers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'porthello-coturn-config-'));
  const probe = createSocket('udp4');
  const port = await new Promise<number>((resolve) => probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)));
  probe.close();
  const file = join(dir, 'turnserver.conf');
  writeFileSync(file, coturnConfig({ ...BASE, listeningPort: port }), { mode: 0o600 });
  const coturn = spawn(
    'turnserver',
    ['-c', file, '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--db=${join(dir, 'coturn.db')}`, '--log-file=stdout', `--pidfile=${join(dir, 'pid')}`],
    { stdio: 'ignore' },
  );
  let client: TurnClient | null = null;
  try {
    await waitForStun(port, DAEMON_START_TIMEOUT_MS);
    const server = first(
      createExternalCredentials({ urls: [], secret: SECRET }).issue({ callId: 'c', participantId: 'p', relayOnly: true }).iceServers,
      'ICE server',
    );
    client = await TurnClient.open({ address: '127.0.0.1', port }, { username: server.username, password: server.credential });
    await client.allocate();
    for (const address of ['127.0.0.1', '10.0.0.5', '192.168.1.1', '169.254.169.254', '0.0.0.0']) {
      assert.is(errorCode(await client.createPermission([{ address, port: 9 }])), 403, address);
    }
    // A public address is permitted (nothing is sent to it).
    assert.is(errorCode(await client.createPermission([{ address: '8.8.8.8', port: 9 }])), null);
  } finally {
    await client?.close();
    await stopChild(coturn);
    rmSync(dir, { recursive: true, force: true });
  }
});

config.run();
