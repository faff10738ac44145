import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readMigrations, schemaVersion } from '../../server/db/migrate.js';
import { closeDatabase, DatabaseCorruptError, MIGRATIONS_DIR, openDatabase } from '../../server/db/open.js';

let scratch = '';
const latest = readMigrations(MIGRATIONS_DIR).length;

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

const tables = (db: ReturnType<typeof openDatabase>): string[] =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);

const open = suite('openDatabase');
open.before.each(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-db-'));
});
open.after.each(() => rmSync(scratch, { recursive: true, force: true }));

open('creates a fresh database at the latest schema version with the required settings', () => {
  const db = openDatabase(join(scratch, 'fresh.sqlite'));
  assert.is(schemaVersion(db), latest);
  assert.is(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.is(db.pragma('foreign_keys', { simple: true }), 1);
  assert.is(db.pragma('secure_delete', { simple: true }), 1);
  assert.ok((db.pragma('busy_timeout', { simple: true }) as number) > 0);
  closeDatabase(db);
});

open('reopens an existing database without running any migration again', () => {
  const path = join(scratch, 'again.sqlite');
  const dir = migrationsDir({ '001-one.sql': 'CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (1);' });
  closeDatabase(openDatabase(path, { migrationsDir: dir }));
  const db = openDatabase(path, { migrationsDir: dir });
  assert.equal(db.prepare('SELECT count(*) AS n FROM counter').get(), { n: 1 });
  assert.is(schemaVersion(db), 1);
  closeDatabase(db);
});

open('leaves the schema as it was when a migration fails halfway', () => {
  const path = join(scratch, 'failing.sqlite');
  closeDatabase(openDatabase(path, { migrationsDir: migrationsDir({ '001-one.sql': 'CREATE TABLE kept (id INTEGER);' }) }));
  const failing = migrationsDir({
    '001-one.sql': 'CREATE TABLE kept (id INTEGER);',
    '002-two.sql': 'CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);',
  });
  assert.throws(() => openDatabase(path, { migrationsDir: failing }), /migration 002-two\.sql failed/);
  const db = openDatabase(path, { migrationsDir: migrationsDir({ '001-one.sql': 'CREATE TABLE kept (id INTEGER);' }) });
  assert.is(schemaVersion(db), 1);
  assert.equal(tables(db), ['kept']);
  closeDatabase(db);
});

open('refuses a database newer than the code', () => {
  const path = join(scratch, 'newer.sqlite');
  const two = migrationsDir({ '001-a.sql': 'CREATE TABLE a (x);', '002-b.sql': 'CREATE TABLE b (x);' });
  closeDatabase(openDatabase(path, { migrationsDir: two }));
  assert.throws(() => openDatabase(path, { migrationsDir: migrationsDir({ '001-a.sql': 'CREATE TABLE a (x);' }) }), /newer than this release/);
});

open('stops with a clear error on a corrupt file', () => {
  const path = join(scratch, 'corrupt.sqlite');
  const db = openDatabase(path);
  db.exec(
    'CREATE TABLE filler (data BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO filler SELECT randomblob(1000) FROM n;',
  );
  closeDatabase(db);
  // Overwrite pages after the header: the file still looks like SQLite but its b-trees are garbage.
  const garbage = Buffer.alloc(64 * 1024, 0xa5);
  const fd = openSync(path, 'r+');
  writeSync(fd, garbage, 0, garbage.length, 4096);
  closeSync(fd);
  assert.throws(
    () => openDatabase(path),
    (error: unknown) => error instanceof DatabaseCorruptError && /restore it from a backup/.test(error.message),
  );
});

open('stops with a clear error on a file that is not a database', () => {
  const path = join(scratch, 'text.sqlite');
  writeFileSync(path, 'this is not a database, only text that is long enough to fill a header. '.repeat(20));
  assert.throws(
    () => openDatabase(path),
    (error: unknown) => error instanceof DatabaseCorruptError,
  );
});

open.run();

const files = suite('readMigrations');
files.before.each(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-db-'));
});
files.after.each(() => rmSync(scratch, { recursive: true, force: true }));

files('refuses a gap in the numbering and a badly named file', () => {
  assert.throws(() => readMigrations(migrationsDir({ '001-a.sql': '', '003-c.sql': '' })), /without gaps/);
  assert.throws(() => readMigrations(migrationsDir({ '1-a.sql': '' })), /must look like/);
});

files('applies the project migrations in order from 001', () => {
  const migrations = readMigrations(MIGRATIONS_DIR);
  assert.equal(
    migrations.map((migration) => migration.version),
    migrations.map((_, index) => index + 1),
  );
});

files.run();
