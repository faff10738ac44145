// A newcomer's first run: `npm start` with no configuration, then the address they type.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { SIGNAL_PATH } from '../../server/signal/protocol.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { withTimeout } from '../helpers/wait.js';
import { freePort } from '../helpers/ports.js';
import { START_TIMEOUT_MS } from '../helpers/live-server.js';

let scratch = '';
let running: ServerProcess | null = null;
let port = 0;

/** A free loopback port: with no public URL the server needs a real one to name its origin. */

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-trial-'));
  port = await freePort();
  running = spawnServer({ PORTHELLO_DATA_DIR: join(scratch, 'data'), PORTHELLO_PORT: String(port), PORTHELLO_TURN_PORT: '0', PORTHELLO_LOG_LEVEL: 'info' });
  await running.waitForOutput(/listening on http:\/\//, START_TIMEOUT_MS);
});
test.after(async () => {
  running?.kill();
  if (running !== null) await withTimeout(running.exited, 'the process to end');
  rmSync(scratch, { recursive: true, force: true });
});

const logIn = (origin: string): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin }, body: '{}' });

test('takes the API from http://localhost and http://127.0.0.1 of the same port alike', async () => {
  for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
    const response = await logIn(origin);
    assert.is(response.status, 400, origin);
    assert.is(((await response.json()) as { error: { code: string } }).error.code, 'invalid_fields', origin);
  }
});

test('opens the signaling socket from http://localhost too (then asks it to authenticate)', async () => {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${SIGNAL_PATH}`, { origin: `http://localhost:${port}` });
  const status = await withTimeout(
    new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    }),
    'the upgrade answer',
  );
  // Ending a refused handshake makes ws report "closed before the connection was established".
  socket.on('error', () => undefined);
  socket.terminate();
  assert.is(status, 401, 'past the Origin check, refused only for want of a session');
});

test('refuses any other origin, and logs each refused origin once with the expected address', async () => {
  for (let i = 0; i < 3; i++) {
    const response = await logIn(`http://localhost:${port + 1}`);
    assert.is(response.status, 403);
    await response.arrayBuffer();
  }
  const lines =
    running
      ?.output()
      .split('\n')
      .filter((line) => line.includes('request from another origin refused')) ?? [];
  assert.is(lines.length, 1, lines.join('\n'));
  assert.ok(lines[0]?.includes(`origin=http://localhost:${port + 1}`));
  assert.ok(lines[0]?.includes(`expected=http://127.0.0.1:${port}`));
});

test('gives the pages the address to use, for the message shown when a request is refused', async () => {
  const html = await (await fetch(`http://127.0.0.1:${port}/login?lang=en`)).text();
  assert.ok(
    html.includes(
      `<li data-key="client.bad_origin">This page was opened at another address than the service&#39;s. Open http://127.0.0.1:${port} and try again.</li>`,
    ),
    html,
  );
});

test.run();
