// A deleted account does not come back from an older backup: deletion leaves an erasure token,
// and the restore erases again every member whose token it finds, with their pictures and the
// calls they received; calls they made stay in the other member's log without them.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AVATARS_DIR_NAME } from '../../server/accounts/picture-service.js';
import { listBackups } from '../../server/db/backup.js';
import { DATABASE_FILE_NAME } from '../../server/db/open.js';
import { ORIGIN, PASSWORD, runDataCommand, serverEnv, signUpMember, startLiveServer, stopLiveServer, type LiveServer } from '../helpers/live-server.js';
import { openSignalClient, A_COMMITMENT } from '../helpers/ws.js';
import { jpegWithGps, uploadForm } from '../media/images.js';

let scratch = '';
let server: LiveServer | null = null;

const erasure = suite('erasures re-applied by npm run restore');
erasure.before.each(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-erasure-'));
});
erasure.after.each(() => {
  server?.process.kill();
  server = null;
  rmSync(scratch, { recursive: true, force: true });
});

type Member = Awaited<ReturnType<typeof signUpMember>>;

/** `caller` rings `callee`, who declines: one row in the callee's call log. */
async function declinedCall(live: LiveServer, caller: Member, callee: Member): Promise<void> {
  const wsUrl = `${live.url.replace('http:', 'ws:')}/ws`;
  const from = await openSignalClient(wsUrl, { name: 'caller', headers: { Origin: ORIGIN, Cookie: caller.cookie } });
  const to = await openSignalClient(wsUrl, { name: 'callee', headers: { Origin: ORIGIN, Cookie: callee.cookie } });
  from.send({ type: 'invite', calleeMemberId: callee.id, commitment: A_COMMITMENT });
  const { callId } = await to.next('incoming-call');
  to.send({ type: 'decline', callId });
  await from.next('call-ended');
  from.ws.close();
  to.ws.close();
  await Promise.all([from.closed, to.closed]);
}

function query<T>(path: string, sql: string, ...params: unknown[]): T[] {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

erasure('backup → delete an account → restore: the account, its pictures and its received calls are gone', async () => {
  const dataDir = join(scratch, 'data');
  const backups = join(scratch, 'backups');
  server = await startLiveServer(dataDir);
  const alice = await signUpMember(server);
  const bob = await signUpMember(server);
  const upload = await server.fetch('/api/me/avatar', { method: 'PUT', headers: { Cookie: alice.cookie }, body: uploadForm(await jpegWithGps()) });
  assert.is(upload.status, 200, await upload.clone().text());
  await declinedCall(server, bob, alice);
  await declinedCall(server, alice, bob);

  const backup = await runDataCommand('backup', [backups], serverEnv(dataDir));
  assert.is(backup.status, 0, backup.output);
  const [folder = ''] = listBackups(backups);
  const backupDb = join(folder, DATABASE_FILE_NAME);
  // The backup holds Alice completely: what the restore must not bring back.
  const [avatar] = query<{ avatar_id: string }>(backupDb, 'SELECT avatar_id FROM users WHERE id = ?', alice.id);
  assert.ok(avatar?.avatar_id, 'the backup has her picture');
  assert.is(readdirSync(join(folder, AVATARS_DIR_NAME)).filter((name) => name.startsWith(avatar.avatar_id)).length, 2);
  assert.is(query(backupDb, 'SELECT 1 FROM call_log WHERE member_id = ?', alice.id).length, 2, 'her call made and her call received');
  assert.is(query(backupDb, 'SELECT 1 FROM call_log WHERE peer_id = ?', alice.id).length, 2);

  const deleted = await server.fetch('/api/me', {
    method: 'DELETE',
    headers: { Cookie: alice.cookie, 'Content-Type': 'application/json' },
    body: JSON.stringify({ password: PASSWORD }),
  });
  assert.ok(deleted.status === 200 || deleted.status === 204, `deletion answered ${deleted.status}`);
  await stopLiveServer(server);
  server = null;
  const tokens = query<{ token: string }>(join(dataDir, DATABASE_FILE_NAME), 'SELECT token FROM erasures');
  assert.is(tokens.length, 1);
  assert.not.ok(tokens[0]?.token.includes(alice.id), 'the token is not the member id');

  const restore = await runDataCommand('restore', [backups], serverEnv(dataDir));
  assert.is(restore.status, 0, restore.output);
  assert.match(restore.output, /1 accounts deleted since that backup were erased again/);
  const restored = join(dataDir, DATABASE_FILE_NAME);
  assert.equal(query(restored, 'SELECT email FROM users ORDER BY email'), [{ email: bob.email }]);
  assert.equal(query(restored, 'SELECT 1 FROM call_log WHERE member_id = ?', alice.id), [], 'her call log is gone');
  assert.equal(
    query(restored, 'SELECT member_id, direction, peer_id FROM call_log ORDER BY direction'),
    [
      { member_id: bob.id, direction: 'made', peer_id: null },
      { member_id: bob.id, direction: 'received', peer_id: null },
    ],
    'Bob keeps both calls with her, without her',
  );
  assert.equal(readdirSync(join(dataDir, AVATARS_DIR_NAME)), [], 'her pictures are gone');
  for (const table of ['users', 'consents', 'sessions', 'call_links']) {
    const column = table === 'users' ? 'id' : 'user_id';
    assert.equal(query(restored, `SELECT 1 FROM ${table} WHERE ${column} = ?`, alice.id), [], table);
  }
  assert.is(query(restored, 'SELECT token FROM erasures').length, 1, 'the restored database remembers the erasure');
  // Neither her e-mail nor her id is anywhere in the restored file (secure_delete, checkpointed).
  const bytes = readFileSync(restored);
  assert.not.ok(bytes.includes(Buffer.from(alice.email)), 'no trace of her e-mail');
  assert.not.ok(bytes.includes(Buffer.from(alice.id)), 'no trace of her id');

  server = await startLiveServer(dataDir);
  const login = await server.fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: alice.email, password: PASSWORD }),
  });
  assert.is(login.status, 401, 'she cannot log in');
  await stopLiveServer(server);
  server = null;
});

erasure('applies the erasures a newer backup remembers, when the live data is lost', async () => {
  const dataDir = join(scratch, 'data');
  const backups = join(scratch, 'backups');
  server = await startLiveServer(dataDir);
  const alice = await signUpMember(server);
  const bob = await signUpMember(server);
  assert.is((await runDataCommand('backup', [backups], serverEnv(dataDir))).status, 0);
  const [older = ''] = listBackups(backups);
  const deleted = await server.fetch('/api/me', {
    method: 'DELETE',
    headers: { Cookie: alice.cookie, 'Content-Type': 'application/json' },
    body: JSON.stringify({ password: PASSWORD }),
  });
  assert.ok(deleted.status < 300);
  assert.is((await runDataCommand('backup', [backups], serverEnv(dataDir))).status, 0);
  await stopLiveServer(server);
  server = null;

  const freshDir = join(scratch, 'fresh');
  const restore = await runDataCommand('restore', [older], serverEnv(freshDir));
  assert.is(restore.status, 0, restore.output);
  assert.equal(query(join(freshDir, DATABASE_FILE_NAME), 'SELECT email FROM users'), [{ email: bob.email }]);
});

erasure.run();
