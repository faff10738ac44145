// A TCP port free on loopback right now, for a child process that must be told its port up
// front (the relay's ports, a proxy's upstream). Another process may take it before the child
// binds it: suites that start servers in-process use port 0 instead.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
