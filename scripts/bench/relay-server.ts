// The embedded relay alone in its own process, so its CPU is read from /proc as coturn's is:
//
//   node dist/scripts/bench/relay-server.js USER PASSWORD MIN_PORT MAX_PORT
//
// Listens on 127.0.0.1 (a free port), prints "listening PORT", relays to loopback peers only,
// and stops on SIGTERM. No per-allocation byte cap, as coturn runs in the bench.
import { silentLogger } from '../../server/log.js';
import { startRelay } from '../../server/turn/relay.js';

async function main(): Promise<void> {
  const [username = '', password = '', min = '0', max = '0'] = process.argv.slice(2);
  const relay = await startRelay(
    {
      host: '127.0.0.1',
      port: 0,
      relayPortMin: Number(min),
      relayPortMax: Number(max),
      externalIp: null,
      userQuota: 0,
      totalQuota: 0,
      allowedPeers: ['127.0.0.0/8'],
    },
    silentLogger,
  );
  relay.addUser(username, password);
  process.stdout.write(`listening ${relay.port}\n`);
  process.on('SIGTERM', () => void relay.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`relay-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
