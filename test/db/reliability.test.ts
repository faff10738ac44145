// The database under the worst a box does to it, with the real server process: killed with -9
// in the middle of writes, locked by another process past the busy timeout, and out of disk.
// Every write the service acknowledged survives; a lock or a full disk is a clear 503, never a
// crash or a damaged file; and the service works again once the lock or the space is back.
import { INVITES_PER_CALLER } from '../../server/signal/ring-guard.js';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DATABASE_FILE_NAME } from '../../server/db/open.js';
import {
  logInRequest,
  ORIGIN,
  signUpMember,
  signUpRequest,
  signUpStream,
  startLiveServer,
  stopLiveServer,
  uniqueEmail,
  type LiveServer,
} from '../helpers/live-server.js';
import { withTimeout, waitUntil } from '../helpers/wait.js';
import { openSignalClient, type SignalTestClient, A_COMMITMENT } from '../helpers/ws.js';
import { jpegWithGps, uploadForm } from '../media/images.js';

const KILL_ROUNDS = 3;
const SIGN_UPS_PER_ROUND = 8;
const CALLS_PER_ROUND = 3;
/** Below the signaler's message burst and the ringing limit's burst per caller: each round has its own caller. */
const MAX_CALLS_PER_ROUND = INVITES_PER_CALLER.burst;
const STREAM_CONCURRENCY = 3;
const STREAM_WAIT_MS = 30_000;

let scratch = '';
let server: LiveServer | null = null;
const cleanUp = async (): Promise<void> => {
  server?.process.kill();
  server = null;
  rmSync(scratch, { recursive: true, force: true });
};

function inspect(path: string): { emails: Set<string>; callsTo: (id: string) => number; integrity: unknown } {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const emails = new Set(db.prepare('SELECT email FROM users').pluck().all() as string[]);
    const counts = new Map(
      db
        .prepare("SELECT member_id AS id, count(*) AS n FROM call_log WHERE direction = 'received' GROUP BY member_id")
        .all()
        .map((row) => [(row as { id: string }).id, (row as { n: number }).n]),
    );
    return { emails, callsTo: (id) => counts.get(id) ?? 0, integrity: db.pragma('integrity_check', { simple: true }) };
  } finally {
    db.close();
  }
}

type Member = Awaited<ReturnType<typeof signUpMember>>;

/**
 * Bob rings Alice and she declines, over and over: each decline writes a call-log row. The hub
 * handles messages one at a time, so once the server answers invite n+1 (call-ringing), row n
 * is committed: `acknowledged` counts those rows.
 */
function callStream(live: LiveServer, caller: Member, callee: Member) {
  const state = { rung: 0, stopped: false };
  const wsUrl = `${live.url.replace('http:', 'ws:')}/ws`;
  const sockets: SignalTestClient[] = [];
  const run = async (): Promise<void> => {
    const from = await openSignalClient(wsUrl, { name: 'caller', headers: { Origin: ORIGIN, Cookie: caller.cookie } });
    const to = await openSignalClient(wsUrl, { name: 'callee', headers: { Origin: ORIGIN, Cookie: callee.cookie } });
    sockets.push(from, to);
    while (!state.stopped && state.rung < MAX_CALLS_PER_ROUND) {
      from.send({ type: 'invite', calleeMemberId: callee.id, commitment: A_COMMITMENT });
      await from.next('call-ringing');
      state.rung += 1;
      const { callId } = await to.next('incoming-call');
      to.send({ type: 'decline', callId });
      await from.next('call-ended');
    }
  };
  const done = run().catch((error: unknown) => {
    // After the kill every wait fails; before it, a failure is the test's.
    if (!state.stopped) throw error;
  });
  return {
    state,
    done,
    acknowledged: (): number => Math.max(0, state.rung - 1),
    halt(): void {
      state.stopped = true;
      for (const socket of sockets) socket.ws.terminate();
    },
  };
}

const crash = suite('kill -9 during writes');
crash.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-crash-'));
});
crash.after(cleanUp);

crash(`keeps every acknowledged sign-up and call-log row, with an intact database (${KILL_ROUNDS} rounds)`, async () => {
  const dataDir = join(scratch, 'data');
  const path = join(dataDir, DATABASE_FILE_NAME);
  server = await startLiveServer(dataDir);
  const alice = await signUpMember(server);
  const acknowledged: string[] = [alice.email];
  let callsAcknowledged = 0;
  for (let round = 0; round < KILL_ROUNDS; round += 1) {
    const live: LiveServer = server;
    const stream = signUpStream(live, STREAM_CONCURRENCY, `round${round}`);
    const caller = await signUpMember(live);
    acknowledged.push(caller.email);
    const calls = callStream(live, caller, alice);
    await waitUntil(
      () => stream.acknowledged.length >= SIGN_UPS_PER_ROUND && calls.acknowledged() >= CALLS_PER_ROUND,
      `writes of round ${round}`,
      STREAM_WAIT_MS,
    );
    // Killed with requests in flight: their outcome is unknown, only the acknowledged count.
    stream.halt();
    calls.state.stopped = true;
    live.process.child.kill('SIGKILL');
    assert.is(await withTimeout(live.process.exited, 'the killed server to end'), 'SIGKILL');
    calls.halt();
    await withTimeout(Promise.all([stream.done, calls.done]), 'the streams to end');
    acknowledged.push(...stream.acknowledged);
    callsAcknowledged += calls.acknowledged();
    assert.equal(stream.failures, [], 'no write failed before the kill');

    server = await startLiveServer(dataDir);
    const { emails, callsTo, integrity } = inspect(path);
    assert.is(integrity, 'ok', `integrity after round ${round}`);
    const lost = acknowledged.filter((email) => !emails.has(email));
    assert.equal(lost, [], `acknowledged sign-ups lost in round ${round}`);
    assert.ok(callsTo(alice.id) >= callsAcknowledged, `acknowledged call-log rows lost in round ${round}: ${callsTo(alice.id)} < ${callsAcknowledged}`);
  }
  const login = await logInRequest(server, acknowledged.at(-1) ?? '');
  assert.is(login.status, 200, 'the last acknowledged member logs in');
  await stopLiveServer(server);
  server = null;
});

crash.run();

const locked = suite('a database locked by another process');
locked.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-locked-'));
});
locked.after(cleanUp);

locked('answers 503 database_busy past the busy timeout, stays up, and writes again once the lock is gone', async () => {
  const dataDir = join(scratch, 'data');
  server = await startLiveServer(dataDir);
  const blocker = new BetterSqlite3(join(dataDir, DATABASE_FILE_NAME), { timeout: 0 });
  blocker.exec('BEGIN IMMEDIATE');
  let response: Response;
  try {
    response = await signUpRequest(server, uniqueEmail('locked'));
  } finally {
    blocker.exec('ROLLBACK');
    blocker.close();
  }
  assert.is(response.status, 503);
  assert.is(((await response.json()) as { error: { code: string } }).error.code, 'database_busy');
  assert.ok(Number(response.headers.get('retry-after')) > 0, 'says when to retry');
  assert.is(server.process.child.exitCode, null, 'the process runs on');
  assert.match(server.process.output(), /request failed .*status=503/, 'the sysadmin sees it in the log');
  const member = await signUpMember(server);
  assert.is((await logInRequest(server, member.email)).status, 200);
  await stopLiveServer(server);
  server = null;
});

locked.run();

// A small tmpfs of our own; without the right to mount (not root, a container), skipped saying so.
const FULL_DISK_BYTES = 8 * 1024 * 1024;
const FILLER_CHUNK_BYTES = 64 * 1024;
const MAX_WRITES_TO_FILL = 200;
const diskScratch = mkdtempSync(join(tmpdir(), 'porthello-full-'));
const mountPoint = join(diskScratch, 'disk');
mkdirSync(mountPoint);
const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${FULL_DISK_BYTES},mode=0700`, 'porthello-test', mountPoint], { encoding: 'utf8' });
const canMount = mount.status === 0;
if (!canMount) process.stdout.write(`cannot mount a small tmpfs (${(mount.stderr || String(mount.error)).trim()}): the full-disk test is skipped\n`);

const full = suite('a full disk');
full.after(async () => {
  server?.process.kill();
  if (server !== null) await withTimeout(server.process.exited, 'the server to end').catch(() => undefined);
  server = null;
  if (canMount) spawnSync('umount', [mountPoint]);
  rmSync(diskScratch, { recursive: true, force: true });
});

(canMount ? full : full.skip)('answers 503 storage_full without damage, and recovers when space returns', async () => {
  const dataDir = join(mountPoint, 'data');
  const filler = join(mountPoint, 'filler');
  server = await startLiveServer(dataDir);
  const member = await signUpMember(server);
  const acknowledged = [member.email];
  const picture = await jpegWithGps();
  try {
    for (;;) appendFileSync(filler, Buffer.alloc(FILLER_CHUNK_BYTES, 1));
  } catch (error) {
    assert.is((error as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  const upload = await server.fetch('/api/me/avatar', { method: 'PUT', headers: { Cookie: member.cookie }, body: uploadForm(picture) });
  assert.is(upload.status, 503, await upload.clone().text());
  assert.is(((await upload.json()) as { error: { code: string } }).error.code, 'storage_full');
  // SQLite appends to its log until the disk refuses: sign up until it does.
  let refused: Response | null = null;
  for (let attempt = 0; attempt < MAX_WRITES_TO_FILL && refused === null; attempt += 1) {
    const email = uniqueEmail('full');
    const response = await signUpRequest(server, email);
    if (response.status === 201) acknowledged.push(email);
    else refused = response;
  }
  assert.ok(refused !== null, 'a write was refused on the full disk');
  assert.is(refused.status, 503, await refused.clone().text());
  assert.is(((await refused.json()) as { error: { code: string } }).error.code, 'storage_full');
  assert.is(server.process.child.exitCode, null, 'the process runs on');

  rmSync(filler);
  const after = await signUpMember(server);
  acknowledged.push(after.email);
  const again = await server.fetch('/api/me/avatar', { method: 'PUT', headers: { Cookie: member.cookie }, body: uploadForm(picture) });
  assert.is(again.status, 200, await again.clone().text());
  await stopLiveServer(server);
  server = null;
  const { emails, integrity } = inspect(join(dataDir, DATABASE_FILE_NAME));
  assert.is(integrity, 'ok');
  assert.equal(
    acknowledged.filter((email) => !emails.has(email)),
    [],
    'every acknowledged sign-up is there',
  );
});

full.run();
