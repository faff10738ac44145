// A port free on loopback right now (TCP and UDP), for a child process that must be told its port
// up front (the relay's ports, a proxy's upstream). It is drawn below the kernel's ephemeral range
// (32768–60999 on Linux), where every outgoing connection of the machine takes its source port:
// a port the kernel handed out as free could be taken by another suite's connection before the
// child binds it (seen: a server failing with EADDRINUSE). The fixed relay ranges of the suites
// are above 50000. Suites that start servers in-process use port 0 instead.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const FIRST_PORT = 20_000;
const LAST_PORT = 32_000;
/** Tries before giving up: a busy port is skipped, and a random one is almost always free. */
const MAX_TRIES = 50;

function bindsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function bindsUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createSocket('udp4');
    probe.once('error', () => {
      probe.close();
      resolve(false);
    });
    probe.bind(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const port = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT));
    if ((await bindsTcp(port)) && (await bindsUdp(port))) return port;
  }
  throw new Error(`no free port between ${FIRST_PORT} and ${LAST_PORT} after ${MAX_TRIES} tries`);
}
