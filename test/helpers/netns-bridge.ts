// A browser "executable" that runs the real browser inside a network namespace and carries its
// WebDriver BiDi WebSocket out of it. puppeteer drives Firefox only over a WebSocket (no pipe
// transport for BiDi), which Firefox opens on the loopback of its own namespace: the test's
// namespace cannot reach it. So this program starts `ip netns exec NS BROWSER ARGS…`, reads the
// browser's "WebDriver BiDi listening on ws://127.0.0.1:PORT" line, listens on a port of the
// test's own loopback instead and prints that one; each connection to it is carried, through the
// stdin and stdout of `ip netns exec NS node this-file connect PORT`, to the browser's port (the
// handshake's Host header rewritten to name that port). No link joins the namespaces: only
// these byte streams.
//
//   node netns-bridge.js launch NS BROWSER [ARGS…]   (what the wrapper puppeteer starts runs)
//   node netns-bridge.js connect PORT                (run inside NS by the above)
import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ENDPOINT_LINE = /^WebDriver BiDi listening on ws:\/\/127\.0\.0\.1:(\d+)$/;
const LOOPBACK = '127.0.0.1';

const servers: Server[] = [];

function carry(ns: string, port: number): Promise<number> {
  const server = createServer((socket) => {
    const pipe = spawn('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), 'connect', String(port)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    socket.pipe(pipe.stdin);
    pipe.stdout.pipe(socket);
    // Either end gone ends the other; errors here are those ends going away.
    socket.on('error', () => pipe.kill());
    socket.on('close', () => pipe.kill());
    pipe.on('exit', () => socket.destroy());
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve((server.address() as AddressInfo).port));
  });
}

function launch(ns: string, program: string, args: readonly string[]): void {
  const browser = spawn('ip', ['netns', 'exec', ns, program, ...args], { stdio: ['inherit', 'inherit', 'pipe'] });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => browser.kill(signal));
  // Lines go out in their order: the rewritten endpoint line waits for its port.
  let written = Promise.resolve();
  createInterface({ input: browser.stderr }).on('line', (line) => {
    const port = ENDPOINT_LINE.exec(line)?.[1];
    const text =
      port === undefined
        ? Promise.resolve(line)
        : carry(ns, Number(port)).then(
            (outer) => `WebDriver BiDi listening on ws://${LOOPBACK}:${outer}`,
            (error: Error) => {
              // No endpoint to give: the driver's launch fails on its own timeout, told why here.
              browser.kill('SIGKILL');
              return `netns-bridge: cannot listen on ${LOOPBACK}: ${error.message}`;
            },
          );
    written = written.then(async () => void process.stderr.write(`${await text}\n`));
  });
  browser.on('exit', (code, signal) => {
    for (const server of servers) server.close();
    process.exitCode = code ?? (signal === null ? 1 : 128);
    // Connections still open (puppeteer's own) would keep this process alive.
    setImmediate(() => process.exit());
  });
}

/** Firefox answers a handshake only when its Host header names the port it listens on. */
const HANDSHAKE_END = '\r\n\r\n';
const MAX_HANDSHAKE_BYTES = 16_384;

function bridgeStdio(port: number): void {
  const socket = connect(port, LOOPBACK);
  let head = Buffer.alloc(0);
  const readHandshake = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(HANDSHAKE_END);
    if (end < 0 && head.length < MAX_HANDSHAKE_BYTES) return;
    process.stdin.off('data', readHandshake);
    const split = end < 0 ? head.length : end + HANDSHAKE_END.length;
    socket.write(
      head
        .subarray(0, split)
        .toString('latin1')
        .replace(/^Host: .*$/im, `Host: ${LOOPBACK}:${port}`),
      'latin1',
    );
    socket.write(head.subarray(split));
    process.stdin.pipe(socket);
  };
  process.stdin.on('data', readHandshake);
  socket.pipe(process.stdout);
  socket.on('error', (error) => {
    process.stderr.write(`netns-bridge: ${error.message}\n`);
    process.exit(1);
  });
  socket.on('close', () => process.exit(0));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'launch' && rest.length >= 2) launch(rest[0] as string, rest[1] as string, rest.slice(2));
else if (mode === 'connect' && /^\d+$/.test(rest[0] ?? '')) bridgeStdio(Number(rest[0]));
else {
  process.stderr.write('usage: netns-bridge launch NS BROWSER [ARGS…] | netns-bridge connect PORT\n');
  process.exit(2);
}
