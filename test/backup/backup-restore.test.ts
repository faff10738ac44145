// npm run backup and npm run restore against the real server process: a backup taken under a
// stream of sign-ups restores into a fresh box that starts and lets a member log in; a restore
// refuses to run beside the live service or from a damaged backup; old backups are pruned.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listBackups, MANIFEST_FILE_NAME, type Manifest } from '../../server/db/backup.js';
import { readMigrations } from '../../server/db/migrate.js';
import { DATABASE_FILE_NAME, MIGRATIONS_DIR } from '../../server/db/open.js';
import { logInRequest, runDataCommand, serverEnv, signUpMember, signUpStream, startLiveServer, stopLiveServer, type LiveServer } from '../helpers/live-server.js';
import { waitUntil } from '../helpers/wait.js';

/** Enough writes before, during and after the backup that it surely overlaps some. */
const WRITES_BEFORE_BACKUP = 10;
const WRITES_AFTER_BACKUP = 5;
const STREAM_CONCURRENCY = 3;
const STREAM_WAIT_MS = 30_000;

let scratch = '';
const live: LiveServer[] = [];
async function start(dataDir: string): Promise<LiveServer> {
  const server = await startLiveServer(dataDir);
  live.push(server);
  return server;
}

function emailsIn(path: string): Set<string> {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    return new Set(db.prepare('SELECT email FROM users').pluck().all() as string[]);
  } finally {
    db.close();
  }
}

function integrityOf(path: string): unknown {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

const setup = (name: string) => {
  const group = suite(name);
  group.before.each(() => {
    scratch = mkdtempSync(join(tmpdir(), 'porthello-backup-'));
  });
  group.after.each(async () => {
    for (const server of live.splice(0)) server.process.kill();
    rmSync(scratch, { recursive: true, force: true });
  });
  return group;
};

const online = setup('npm run backup, under writes, then npm run restore');

online('restores a backup taken during a stream of sign-ups into a fresh box, which starts and lets a member in', async () => {
  const dataDir = join(scratch, 'data');
  const backups = join(scratch, 'backups');
  const server = await start(dataDir);
  const early = await signUpMember(server);
  const stream = signUpStream(server, STREAM_CONCURRENCY, 'stream');
  await waitUntil(() => stream.acknowledged.length >= WRITES_BEFORE_BACKUP, 'sign-ups before the backup', STREAM_WAIT_MS);
  const beforeBackup = [...stream.acknowledged];
  const backup = await runDataCommand('backup', [backups], serverEnv(dataDir));
  const afterBackup = stream.acknowledged.length;
  await waitUntil(() => stream.acknowledged.length >= afterBackup + WRITES_AFTER_BACKUP, 'sign-ups after the backup', STREAM_WAIT_MS);
  await stream.stop();
  assert.is(backup.status, 0, backup.output);
  assert.equal(stream.failures, [], 'no write failed because of the backup');

  const [folder] = listBackups(backups);
  assert.ok(folder !== undefined, backup.output);
  const manifest = JSON.parse(readFileSync(join(folder, MANIFEST_FILE_NAME), 'utf8')) as Manifest;
  assert.is(manifest.schemaVersion, readMigrations(MIGRATIONS_DIR).length);
  const inBackup = emailsIn(join(folder, DATABASE_FILE_NAME));
  assert.is(manifest.counts['users'], inBackup.size);
  for (const email of [early.email, ...beforeBackup]) assert.ok(inBackup.has(email), 'every sign-up acknowledged before the backup is in it');
  assert.ok(inBackup.size < 1 + stream.acknowledged.length, 'the sign-ups after the backup are not');
  assert.ok(manifest.files.some((file) => file.path === DATABASE_FILE_NAME && /^[0-9a-f]{64}$/.test(file.sha256)));
  await stopLiveServer(server);

  const freshDir = join(scratch, 'fresh');
  const restore = await runDataCommand('restore', [backups], serverEnv(freshDir));
  assert.is(restore.status, 0, restore.output);
  assert.match(restore.output, /restored .*porthello-\d{8}T\d{9}Z/);
  assert.is(integrityOf(join(freshDir, DATABASE_FILE_NAME)), 'ok');
  assert.equal(emailsIn(join(freshDir, DATABASE_FILE_NAME)), inBackup);

  const restored = await start(freshDir);
  const login = await logInRequest(restored, early.email);
  assert.is(login.status, 200, await login.clone().text());
  const latest = beforeBackup.at(-1) ?? '';
  assert.is((await logInRequest(restored, latest)).status, 200, 'the last sign-up acknowledged before the backup logs in');
  await stopLiveServer(restored);
});

online.run();

const refusals = setup('npm run restore refusals');

refusals('refuses while the service runs, and changes nothing', async () => {
  const dataDir = join(scratch, 'data');
  const backups = join(scratch, 'backups');
  const server = await start(dataDir);
  const member = await signUpMember(server);
  assert.is((await runDataCommand('backup', [backups], serverEnv(dataDir))).status, 0);
  const restore = await runDataCommand('restore', [backups], serverEnv(dataDir));
  assert.is(restore.status, 1, restore.output);
  assert.match(restore.output, /is in use: stop the service first/);
  assert.equal(readdirSync(dataDir).filter((name) => name.startsWith('replaced-') || name.startsWith('.restore-')), []);
  assert.is((await logInRequest(server, member.email)).status, 200, 'the service runs on, unharmed');
});

refusals('refuses a backup whose database does not match its checksum, before touching the data', async () => {
  const dataDir = join(scratch, 'data');
  const backups = join(scratch, 'backups');
  const server = await start(dataDir);
  const member = await signUpMember(server);
  assert.is((await runDataCommand('backup', [backups], serverEnv(dataDir))).status, 0);
  await stopLiveServer(server);
  const [folder = ''] = listBackups(backups);
  const copy = join(folder, DATABASE_FILE_NAME);
  const bytes = readFileSync(copy);
  bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
  writeFileSync(copy, bytes);
  const restore = await runDataCommand('restore', [folder], serverEnv(dataDir));
  assert.is(restore.status, 1, restore.output);
  assert.match(restore.output, /does not match its checksum/);
  assert.ok(emailsIn(join(dataDir, DATABASE_FILE_NAME)).has(member.email));
  assert.not.ok(readdirSync(dataDir).some((name) => name.startsWith('replaced-')));
});

refusals('keeps the data it replaces aside, and says where', async () => {
  const dataDir = join(scratch, 'data');
  const backups = join(scratch, 'backups');
  const server = await start(dataDir);
  const before = await signUpMember(server);
  assert.is((await runDataCommand('backup', [backups], serverEnv(dataDir))).status, 0);
  const after = await signUpMember(server);
  await stopLiveServer(server);
  const restore = await runDataCommand('restore', [backups], serverEnv(dataDir));
  assert.is(restore.status, 0, restore.output);
  const [replaced] = readdirSync(dataDir).filter((name) => /^replaced-\d{8}T\d{9}Z$/.test(name));
  assert.ok(replaced !== undefined, readdirSync(dataDir).join(', '));
  assert.match(restore.output, new RegExp(`the data it replaced is in .*${replaced}`));
  assert.ok(emailsIn(join(dataDir, replaced, DATABASE_FILE_NAME)).has(after.email), 'the replaced database is whole');
  const current = emailsIn(join(dataDir, DATABASE_FILE_NAME));
  assert.ok(current.has(before.email) && !current.has(after.email), 'the data is the backup’s');
});

refusals('rejects a bad --keep and a missing folder with usage errors', async () => {
  const env = serverEnv(join(scratch, 'data'));
  const keep = await runDataCommand('backup', [join(scratch, 'b'), '--keep', '0'], env);
  assert.is(keep.status, 2, keep.output);
  assert.match(keep.output, /--keep must be an integer/);
  const none = await runDataCommand('restore', [], env);
  assert.is(none.status, 2, none.output);
  const empty = await runDataCommand('restore', [join(scratch, 'nothing-here')], env);
  assert.is(empty.status, 1, empty.output);
  assert.match(empty.output, /no backup at/);
});

refusals.run();

const retention = setup('backup retention');

retention('keeps the newest N backups with --keep N', async () => {
  const dataDir = join(scratch, 'data');
  const backups = join(scratch, 'backups');
  const server = await start(dataDir);
  await signUpMember(server);
  const made: string[] = [];
  for (let round = 0; round < 3; round += 1) {
    const result = await runDataCommand('backup', [backups, '--keep', '2'], serverEnv(dataDir));
    assert.is(result.status, 0, result.output);
    made.push(listBackups(backups).at(-1) ?? '');
  }
  assert.equal(listBackups(backups), made.slice(1), 'the oldest went');
  assert.ok(!existsSync(made[0] ?? ''));
  await stopLiveServer(server);
});

retention.run();
