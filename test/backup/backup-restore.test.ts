// npm run backup and npm run restore against the real server process: a backup taken under a
// stream of sign-ups restores into a fresh box that starts and lets a member log in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { listBackups, MANIFEST_FILE_NAME, type Manifest } from '../../server/db/backup.js';
import { readMigrations } from '../../server/db/migrate.js';
import { DATABASE_FILE_NAME, MIGRATIONS_DIR } from '../../server/db/open.js';
import {
  dataSuite,
  emailsIn,
  integrityOf,
  logInRequest,
  runDataCommand,
  serverEnv,
  signUpMember,
  signUpStream,
  stopLiveServer,
} from '../helpers/live-server.js';
import { waitUntil } from '../helpers/wait.js';

/** Enough writes before, during and after the backup that it surely overlaps some. */
const WRITES_BEFORE_BACKUP = 10;
const WRITES_AFTER_BACKUP = 5;
const STREAM_CONCURRENCY = 3;
const STREAM_WAIT_MS = 30_000;

const online = dataSuite('npm run backup, under writes, then npm run restore');

online.test('restores a backup taken during a stream of sign-ups into a fresh box, which starts and lets a member in', async () => {
  const scratch = online.scratch();
  const { dataDir, backups, server } = await online.startInScratch();
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

  const restored = await online.start(freshDir);
  const login = await logInRequest(restored, early.email);
  assert.is(login.status, 200, await login.clone().text());
  const latest = beforeBackup.at(-1) ?? '';
  assert.is((await logInRequest(restored, latest)).status, 200, 'the last sign-up acknowledged before the backup logs in');
  await stopLiveServer(restored);
});

online.test.run();
