// A TURN client and its peer in a process of their own, for a test whose own event loop is
// blocked meanwhile (spawnSync): allocates on the relay at 127.0.0.1:PORT, permits a loopback
// peer, sends it one packet through the relay, and exits 0 once the peer got it.
//
//   node dist/test/turn/helpers/relay-probe.js PORT USERNAME PASSWORD
import { TurnClient } from '../../../server/turn/client.js';
import { errorCode } from '../../../server/turn/stun.js';
import { openUdpPeer } from './udp-peer.js';

/** The whole probe: the relay answers within milliseconds when its thread is free. */
const PROBE_TIMEOUT_MS = 5000;

async function probe(): Promise<string | null> {
  const [port = '', username = '', password = ''] = process.argv.slice(2);
  const client = await TurnClient.open({ address: '127.0.0.1', port: Number(port) }, { username, password });
  const peer = await openUdpPeer('127.0.0.1');
  try {
    await client.allocate();
    const permitted = await client.createPermission([{ address: '127.0.0.1', port: peer.port }]);
    if (errorCode(permitted) !== null) return `CreatePermission refused (${errorCode(permitted)})`;
    client.sendIndication({ address: '127.0.0.1', port: peer.port }, Buffer.from('probe'));
    const got = await peer.next(PROBE_TIMEOUT_MS);
    return got?.data.toString() === 'probe' ? null : 'the peer got nothing';
  } finally {
    await Promise.all([client.close(), peer.close()]);
  }
}

const deadline = setTimeout(() => {
  process.stdout.write(`no answer within ${PROBE_TIMEOUT_MS} ms\n`);
  process.exit(1);
}, PROBE_TIMEOUT_MS);

probe().then(
  (problem) => {
    clearTimeout(deadline);
    process.stdout.write(`${problem ?? 'relayed'}\n`);
    process.exit(problem === null ? 0 : 1);
  },
  (error: unknown) => {
    clearTimeout(deadline);
    process.stdout.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
