// Forward-only numbered migrations: server/db/migrations/NNN-name.sql, applied in order at
// start. PRAGMA user_version holds the number of the last one applied. Each migration runs in
// its own transaction with its version bump, so a failing one leaves the schema as it was.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';

export type Migration = Readonly<{ version: number; name: string; sql: string }>;

const MIGRATION_FILE = /^(\d{3})-[a-z0-9-]+\.sql$/;

/** Reads every migration file of a directory, checking the numbers run 1, 2, 3… without gaps. */
export function readMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .map((name) => {
      const match = MIGRATION_FILE.exec(name);
      if (match === null) throw new Error(`migration file name must look like 001-name.sql: ${name}`);
      return { version: Number(match[1]), name, sql: readFileSync(join(dir, name), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migrations must be numbered from 001 without gaps: ${migration.name}`);
  });
  return migrations;
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the migrations newer than the database; returns how many ran. */
export function migrate(db: Database, migrations: readonly Migration[]): number {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`the database is at schema version ${current}, newer than this release knows (${latest}): upgrade Porthello`);
  }
  const pending = migrations.filter((migration) => migration.version > current);
  for (const migration of pending) {
    const apply = db.transaction(() => {
      db.exec(migration.sql);
      // user_version cannot be bound as a parameter; the value is our own integer.
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      apply();
    } catch (error) {
      throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  return pending.length;
}
