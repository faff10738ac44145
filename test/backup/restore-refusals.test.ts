// npm run restore's refusals and npm run backup's retention, against the real server process: a
// restore refuses to run beside the live service or from a damaged backup, and keeps the data it
// replaces; old backups are pruned.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { listBackups } from '../../server/db/backup.js';
import { DATABASE_FILE_NAME } from '../../server/db/open.js';
import { type DataSuite, dataSuite, emailsIn, logInRequest, runDataCommand, serverEnv, signUpMember, stopLiveServer } from '../helpers/live-server.js';

/** A running service with one member, backed up once into `backups`. */
async function backedUp(data: DataSuite) {
  const live = await data.startInScratch();
  const member = await signUpMember(live.server);
  assert.is((await runDataCommand('backup', [live.backups], serverEnv(live.dataDir))).status, 0);
  return { ...live, member };
}

const refusals = dataSuite('npm run restore refusals');

refusals.test('refuses while the service runs, and changes nothing', async () => {
  const { dataDir, backups, server, member } = await backedUp(refusals);
  const restore = await runDataCommand('restore', [backups], serverEnv(dataDir));
  assert.is(restore.status, 1, restore.output);
  assert.match(restore.output, /is in use: stop the service first/);
  assert.equal(
    readdirSync(dataDir).filter((name) => name.startsWith('replaced-') || name.startsWith('.restore-')),
    [],
  );
  assert.is((await logInRequest(server, member.email)).status, 200, 'the service runs on, unharmed');
});

refusals.test('refuses a backup whose database does not match its checksum, before touching the data', async () => {
  const { dataDir, backups, server, member } = await backedUp(refusals);
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

refusals.test('keeps the data it replaces aside, and says where', async () => {
  const { dataDir, backups, server, member: before } = await backedUp(refusals);
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

refusals.test('rejects a bad --keep and a missing folder with usage errors', async () => {
  const scratch = refusals.scratch();
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

refusals.test.run();

const retention = dataSuite('backup retention');

retention.test('keeps the newest N backups with --keep N', async () => {
  const { dataDir, backups, server } = await retention.startInScratch();
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

retention.test.run();
