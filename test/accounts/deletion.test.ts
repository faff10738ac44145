import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MEMBER_DATA_TABLES } from '../../server/db/member-data.js';
import { CURRENT_POLICY_VERSION } from '../../server/accounts/privacy-policy.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { jpegWithGps, uploadForm } from '../media/images.js';
import { FAST_BCRYPT, json, logIn, signUp, withCookie, type TestMember } from './helpers.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every file of the data directory (SQLite files included) that contains the bytes. */
function filesHolding(dataDir: string, needle: Buffer): string[] {
  return filesUnder(dataDir).filter((path) => readFileSync(path).includes(needle));
}

async function memberWithEverything(server: TestServer): Promise<{ member: TestMember; photo: Buffer; pictureUrl: string }> {
  const member = await signUp(server);
  await logIn(server, member.email, member.password, { 'User-Agent': 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0' });
  const photo = await jpegWithGps();
  const upload = await server.fetch('/api/me/avatar', withCookie(member.cookie, { method: 'PUT', body: uploadForm(photo) }));
  assert.is(upload.status, 200, await upload.clone().text());
  const { avatar } = await jsonOf(upload);
  // Names changed once, so old versions of the row existed in the WAL and the file.
  const renamed = await server.fetch('/api/me', json({ firstName: `${member.firstName}x` }, member.cookie, 'PATCH'));
  assert.is(renamed.status, 200);
  await server.fetch('/api/me', json({ firstName: member.firstName }, member.cookie, 'PATCH'));
  return { member, photo, pictureUrl: avatar.large };
}

const exporting = suite('GET /api/me/export');
let server: TestServer;
exporting.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
exporting.after(() => server.close());

exporting('downloads everything stored about the member as JSON, picture embedded, no secrets', async () => {
  const { member, pictureUrl } = await memberWithEverything(server);
  const response = await server.fetch('/api/me/export', withCookie(member.cookie));
  assert.is(response.status, 200);
  assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="porthello-export-\d{4}-\d\d-\d\d\.json"$/);
  assert.is(response.headers.get('cache-control'), 'no-store');
  const text = await response.text();
  const data = JSON.parse(text);
  assert.equal(
    Object.keys(data.data).sort(),
    [...new Set(MEMBER_DATA_TABLES.filter((entry) => entry.exported.length > 0).map((entry) => entry.exportKey))].sort(),
    'every exported registry table is in the export',
  );
  assert.is(data.data.profile[0].email, member.email);
  assert.is(data.data.profile[0].first_name, member.firstName);
  assert.is(data.data.consents[0].version, CURRENT_POLICY_VERSION);
  assert.is(data.data.sessions.length, 2);
  const served = Buffer.from(await (await server.fetch(pictureUrl)).arrayBuffer());
  assert.ok(Buffer.from(data.picture.data, 'base64').equals(served), 'the picture as served');
  assert.not.match(text, /\$2b\$/, 'no password hash');
  assert.not.ok(text.includes(member.cookie.split('=')[1] ?? ''), 'no session token');
  assert.not.match(text, /token_hash|password_hash/);
});

exporting('is for the logged-in member only', async () => {
  assert.is((await server.fetch('/api/me/export')).status, 401);
});

exporting.run();

const deletion = suite('DELETE /api/me');
deletion.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
deletion.after(() => server.close());

deletion('refuses without the current password, and keeps everything', async () => {
  const member = await signUp(server);
  const none = await server.fetch('/api/me', json({}, member.cookie, 'DELETE'));
  assert.is(none.status, 400);
  const wrong = await server.fetch('/api/me', json({ password: 'not my password' }, member.cookie, 'DELETE'));
  assert.is(wrong.status, 403);
  assert.is((await jsonOf(wrong)).error.code, 'wrong_password');
  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 200);
});

deletion('erases every row and file of the member, ends their sessions, tells the signaler, and leaves no trace in the data directory', async () => {
  const { member, photo, pictureUrl } = await memberWithEverything(server);
  const other = await memberWithEverything(server);
  const served = Buffer.from(await (await server.fetch(pictureUrl)).arrayBuffer());
  const phone = (await jsonOf(await server.fetch('/api/me/sessions', withCookie(member.cookie)))).sessions.length;
  assert.is(phone, 2);
  // Before: the traces are there, so the search below can find them.
  server.db.pragma('wal_checkpoint(TRUNCATE)');
  assert.ok(filesHolding(server.dataDir, Buffer.from(member.email)).length > 0, 'the search finds a live e-mail');
  assert.ok(filesHolding(server.dataDir, served).length > 0, 'the search finds a live picture');

  const deleted: string[] = [];
  const stop = server.accounts.events.onMemberDeleted((id) => deleted.push(id));
  let response: Response;
  try {
    response = await server.fetch('/api/me', json({ password: member.password }, member.cookie, 'DELETE'));
  } finally {
    stop();
  }
  assert.is(response.status, 204);
  assert.match(response.headers.getSetCookie().join('\n'), /porthello_session=;/);
  assert.equal(deleted, [member.id], 'the WebSocket side is told to close the member’s sockets');

  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 401);
  assert.is((await logIn(server, member.email, member.password)).status, 401);
  assert.is((await server.fetch(pictureUrl)).status, 404);
  for (const entry of MEMBER_DATA_TABLES) {
    const left = server.db.prepare(`SELECT count(*) AS n FROM ${entry.table} WHERE ${entry.memberColumn} = ?`).get(member.id) as { n: number };
    assert.is(left.n, 0, entry.table);
  }

  server.db.pragma('wal_checkpoint(TRUNCATE)');
  const traces: [string, Buffer][] = [
    ['e-mail', Buffer.from(member.email)],
    ['first name', Buffer.from(member.firstName)],
    ['last name', Buffer.from(member.lastName)],
    ['member id', Buffer.from(member.id)],
    ['uploaded photo', photo.subarray(photo.length - 4096)],
    ['served picture', served.subarray(served.length - 1024)],
  ];
  for (const [what, bytes] of traces) assert.equal(filesHolding(server.dataDir, bytes), [], `${what} left in the data directory`);

  // The other member is untouched.
  assert.is((await server.fetch('/api/me', withCookie(other.member.cookie))).status, 200);
  assert.is((await server.fetch(other.pictureUrl)).status, 200);
  assert.ok(filesHolding(server.dataDir, Buffer.from(other.member.email)).length > 0);
});

deletion.run();
