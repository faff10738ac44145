// The signaler as main.ts wires it into the real process: /ws answers upgrades, refusing a
// foreign Origin with 403 and a request without a session with 401; shutdown closes sockets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { withTimeout } from '../helpers/wait.js';
import { openSignalClient } from '../helpers/ws.js';
import { START_TIMEOUT_MS } from '../helpers/live-server.js';

const wired = suite('the signaler in the server process');
let scratch = '';
let running: ServerProcess | null = null;

wired.before.each(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-signal-main-'));
});
wired.after.each(async () => {
  running?.kill();
  if (running !== null) await withTimeout(running.exited, 'the process to end');
  running = null;
  rmSync(scratch, { recursive: true, force: true });
});

function upgradeStatus(url: string, origin: string): Promise<number> {
  const ws = new WebSocket(url, { headers: { Origin: origin } });
  ws.on('error', () => {});
  return withTimeout(
    new Promise<number>((resolve) => {
      ws.once('open', () => {
        ws.terminate();
        resolve(101);
      });
      ws.once('unexpected-response', (request, response) => {
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
    }),
    'the upgrade to be answered',
  );
}

wired('answers upgrades on /ws: 403 for another origin, 401 without a session; then stops cleanly', async () => {
  // The process picks a free port, so the public origin it compares with is a fixed placeholder.
  running = spawnServer({
    PORTHELLO_DATA_DIR: join(scratch, 'data'),
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: 'http://127.0.0.1:1',
    PORTHELLO_TURN_PORT: '0',
  });
  const [, url] = await running.waitForOutput(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
  const wsUrl = `${(url ?? '').replace('http:', 'ws:')}/ws`;
  assert.is(await upgradeStatus(wsUrl, 'https://evil.example'), 403);
  assert.is(await upgradeStatus(wsUrl, 'http://127.0.0.1:1'), 401);
  running.child.kill('SIGTERM');
  assert.is(await withTimeout(running.exited, 'exit after SIGTERM', START_TIMEOUT_MS), 0);
});

wired('closes live sockets with 1001 on SIGTERM, then exits 0', async () => {
  const origin = 'http://127.0.0.1:1';
  running = spawnServer({
    PORTHELLO_DATA_DIR: join(scratch, 'data'),
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: origin,
    PORTHELLO_TURN_PORT: '0',
    PORTHELLO_BCRYPT_COST: '4',
  });
  const [, url] = await running.waitForOutput(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
  const signUp = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { Origin: origin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'ada@example.org', password: 'correct horse battery', firstName: 'Ada', lastName: 'L', acceptPolicy: true }),
  });
  assert.is(signUp.status, 201);
  const cookie = signUp.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const client = await openSignalClient(`${(url ?? '').replace('http:', 'ws:')}/ws`, { name: 'ada', headers: { Origin: origin, Cookie: cookie } });
  running.child.kill('SIGTERM');
  assert.is((await withTimeout(client.closed, 'the socket to close')).code, 1001);
  assert.is(await withTimeout(running.exited, 'exit after SIGTERM', START_TIMEOUT_MS), 0);
});

wired.run();
