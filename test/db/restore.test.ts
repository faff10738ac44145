// The checks a restore makes before it changes anything, and how a backup handles a picture
// replaced while it runs and the partial folders a crash leaves; the commands themselves are
// tested against the real process in test/backup/.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackup, MANIFEST_FILE_NAME, pictureFileNames, type Manifest } from '../../server/db/backup.js';
import { closeDatabase, DATABASE_FILE_NAME, openDatabase } from '../../server/db/open.js';
import { databaseInUse, RestoreRefused, restoreBackup, swapIn, verifyBackup } from '../../server/db/restore.js';
import { first } from '../helpers/values.js';

const PICTURES = 'avatars';
let scratch = '';
let dataDir = '';

async function backupWithPicture(removePictureFirst: boolean): Promise<string> {
  const db = openDatabase(join(dataDir, DATABASE_FILE_NAME));
  db.prepare(
    "INSERT OR IGNORE INTO users (id, email, first_name, last_name, password_hash, avatar_id, created_at, updated_at) VALUES ('m1', 'm@example.org', 'F', 'L', 'h', 'pic1', 'now', 'now')",
  ).run();
  closeDatabase(db);
  rmSync(join(dataDir, PICTURES), { recursive: true, force: true });
  mkdirSync(join(dataDir, PICTURES));
  if (!removePictureFirst) for (const name of pictureFileNames('pic1')) writeFileSync(join(dataDir, PICTURES, name), name);
  return (await createBackup({ dataDir, picturesDirName: PICTURES, root: join(scratch, 'backups'), keep: 3 })).dir;
}

function editManifest(dir: string, change: (manifest: Record<string, unknown>) => void): void {
  const path = join(dir, MANIFEST_FILE_NAME);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(manifest);
  writeFileSync(path, JSON.stringify(manifest));
}

const checks = suite('backup and restore checks');
checks.before.each(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-restore-'));
  dataDir = join(scratch, 'data');
  mkdirSync(dataDir);
});
checks.after.each(() => rmSync(scratch, { recursive: true, force: true }));

checks('a backup lists its picture files with checksums and verifies as it is', async () => {
  const dir = await backupWithPicture(false);
  const manifest = verifyBackup(dir);
  assert.equal(
    manifest.files.map((file) => file.path),
    [
      ...pictureFileNames('pic1')
        .map((name) => `${PICTURES}/${name}`)
        .sort(),
      DATABASE_FILE_NAME,
    ],
  );
  assert.is(manifest.picturesDropped, 0);
});

checks('a picture gone before its copy is left out, and the backup forgets it', async () => {
  const dir = await backupWithPicture(true);
  const manifest: Manifest = verifyBackup(dir);
  assert.is(manifest.picturesDropped, 1);
  assert.equal(
    manifest.files.map((file) => file.path),
    [DATABASE_FILE_NAME],
  );
  const result = restoreBackup({ dataDir: join(scratch, 'fresh'), picturesDirName: PICTURES, backupDir: dir });
  const db = openDatabase(join(scratch, 'fresh', DATABASE_FILE_NAME));
  assert.is(db.prepare("SELECT avatar_id FROM users WHERE id = 'm1'").pluck().get(), null);
  closeDatabase(db);
  assert.is(result.replacedDir, null, 'nothing was there to replace');
});

checks('refuses a manifest naming a path outside the backup', async () => {
  const dir = await backupWithPicture(false);
  editManifest(dir, (manifest) => {
    first(manifest['files'] as { path: string }[], 'file in the manifest').path = '../../etc/passwd';
  });
  assert.throws(
    () => verifyBackup(dir),
    (error: unknown) => error instanceof RestoreRefused && /malformed/.test(error.message),
  );
});

checks('refuses a file the manifest does not list, a missing file, and a newer schema', async () => {
  const dir = await backupWithPicture(false);
  writeFileSync(join(dir, 'extra.txt'), 'x');
  assert.throws(() => verifyBackup(dir), /does not list: extra\.txt/);
  unlinkSync(join(dir, 'extra.txt'));
  unlinkSync(join(dir, PICTURES, pictureFileNames('pic1')[0] ?? ''));
  assert.throws(() => verifyBackup(dir), /the backup lacks/);
  const other = await backupWithPicture(false);
  editManifest(other, (manifest) => {
    manifest['schemaVersion'] = 999;
  });
  assert.throws(() => verifyBackup(other), /newer than this release/);
});

checks('sees a database another connection holds open, and not one nobody does', () => {
  const path = join(dataDir, DATABASE_FILE_NAME);
  assert.is(databaseInUse(path), false, 'no file');
  const db = openDatabase(path);
  assert.is(databaseInUse(path), true);
  closeDatabase(db);
  assert.is(databaseInUse(path), false);
});

checks('puts every file back where it was when one move fails', () => {
  writeFileSync(join(dataDir, 'live'), 'live');
  writeFileSync(join(scratch, 'staged'), 'staged');
  assert.throws(
    () =>
      swapIn([
        [join(dataDir, 'live'), join(scratch, 'aside')],
        [join(scratch, 'staged'), join(dataDir, 'live')],
        [join(scratch, 'missing'), join(dataDir, 'other')],
      ]),
    /the data directory is as it was/,
  );
  assert.is(readFileSync(join(dataDir, 'live'), 'utf8'), 'live');
  assert.is(readFileSync(join(scratch, 'staged'), 'utf8'), 'staged');
  assert.not.ok(existsSync(join(scratch, 'aside')));
});

checks('a backup removes the partial folders a crashed backup left, and not one being written', async () => {
  const root = join(scratch, 'backups');
  const stale = join(root, '.porthello-20260101T000000000Z.partial');
  const recent = join(root, '.porthello-20260101T000001000Z.partial');
  mkdirSync(stale, { recursive: true });
  mkdirSync(recent);
  const dayAgo = new Date(Date.now() - 24 * 3600_000);
  utimesSync(stale, dayAgo, dayAgo);
  await backupWithPicture(false);
  assert.not.ok(existsSync(stale));
  assert.ok(existsSync(recent));
});

checks.run();
