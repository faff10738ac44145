// Online backups: a consistent copy of the live database through SQLite's backup API, taken
// while the service runs and writes, plus the profile pictures it references, in a folder of
// its own with a manifest (schema version, row counts, a SHA-256 per file). Old backups beyond
// the number to keep are removed, oldest first. See restore.ts for the way back.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { LARGE_SIZE_PX, SMALL_SIZE_PX } from '../media/pictures.js';
import { schemaVersion } from './migrate.js';
import { BUSY_TIMEOUT_MS, DATABASE_FILE_NAME } from './open.js';

export const MANIFEST_FILE_NAME = 'manifest.json';
export const BACKUP_FORMAT = 'porthello-backup';
export const BACKUP_FORMAT_VERSION = 1;
/** A week of nightly backups, unless `--keep N` says otherwise. */
export const DEFAULT_BACKUPS_KEPT = 7;
export const MAX_BACKUPS_KEPT = 1000;
/** porthello-20261130T002000123Z: sorting the names sorts the backups by time. */
const BACKUP_DIR_PATTERN = /^porthello-\d{8}T\d{9}Z$/;
/**
 * Pages copied per backup step: all of them. The copy then runs in one read transaction, a
 * snapshot that writers in WAL mode do not wait for; smaller steps would restart from scratch
 * each time the service writes, and might never finish under a steady stream of writes.
 */
const ALL_PAGES = 0x7fffffff;
/**
 * A partial backup folder older than this was left by a backup that crashed or ran out of space
 * (a backup of this service's data takes seconds): it holds personal data, so it goes.
 */
const STALE_PARTIAL_MS = 60 * 60_000;
const PARTIAL_DIR_PATTERN = /^\.porthello-\d{8}T\d{9}Z\.partial$/;
const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

export type ManifestFile = Readonly<{ path: string; bytes: number; sha256: string }>;

export type Manifest = Readonly<{
  format: typeof BACKUP_FORMAT;
  formatVersion: typeof BACKUP_FORMAT_VERSION;
  createdAt: string;
  schemaVersion: number;
  /** Rows per table at the time of the backup. */
  counts: Readonly<Record<string, number>>;
  /** Every file of the backup but the manifest, relative to its folder. */
  files: readonly ManifestFile[];
  /** Pictures replaced or removed between the database copy and the file copy: left out. */
  picturesDropped: number;
}>;

export type BackupResult = Readonly<{ dir: string; manifest: Manifest; removed: readonly string[] }>;

export function backupDirName(at: Date): string {
  return `porthello-${at.toISOString().replace(/[-:.]/g, '')}`;
}

/** The complete backups (with a manifest) under a folder, oldest first. */
export function listBackups(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => BACKUP_DIR_PATTERN.test(name))
    .sort()
    .map((name) => join(root, name))
    .filter((dir) => isFile(join(dir, MANIFEST_FILE_NAME)));
}

/** The name of the pictures' folder, in the data directory and in a backup alike. */
export type BackupPaths = Readonly<{ dataDir: string; picturesDirName: string }>;

export async function createBackup(options: BackupPaths & { root: string; keep: number; now?: () => Date }): Promise<BackupResult> {
  if (!Number.isInteger(options.keep) || options.keep < 1 || options.keep > MAX_BACKUPS_KEPT)
    throw new Error(`the number of backups to keep must be from 1 to ${MAX_BACKUPS_KEPT}`);
  const at = (options.now ?? (() => new Date()))();
  const sourcePath = join(options.dataDir, DATABASE_FILE_NAME);
  if (!isFile(sourcePath)) throw new Error(`no database at ${sourcePath}: check PORTHELLO_DATA_DIR`);
  mkdirSync(options.root, { recursive: true, mode: PRIVATE_DIR_MODE });
  const name = backupDirName(at);
  const finalDir = join(options.root, name);
  // Written under a hidden name and renamed when complete: a folder with the backup's name is
  // always a whole backup, even after a crash or a full disk halfway through.
  const staging = join(options.root, `.${name}.partial`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: PRIVATE_DIR_MODE });
  try {
    const copyPath = join(staging, DATABASE_FILE_NAME);
    // Read-only: WAL lets a reader see a consistent snapshot beside the service's writes.
    const source = new BetterSqlite3(sourcePath, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    try {
      await source.backup(copyPath, { progress: () => ALL_PAGES });
    } finally {
      source.close();
    }
    chmodSync(copyPath, PRIVATE_FILE_MODE);
    const copy = new BetterSqlite3(copyPath, { fileMustExist: true });
    let counts: Record<string, number>;
    let version: number;
    let picturesDropped: number;
    try {
      picturesDropped = copyPictures(copy, join(options.dataDir, options.picturesDirName), join(staging, options.picturesDirName));
      // One self-contained file: no -wal or -shm beside it.
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copied database failed its integrity check (${String(check)})`);
      counts = tableCounts(copy);
      version = schemaVersion(copy);
    } finally {
      copy.close();
    }
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      createdAt: at.toISOString(),
      schemaVersion: version,
      counts,
      files: filesOf(staging).map((path) => describeFile(staging, path)),
      picturesDropped,
    };
    writeFileSync(join(staging, MANIFEST_FILE_NAME), `${JSON.stringify(manifest, null, 2)}\n`, { mode: PRIVATE_FILE_MODE, flush: true });
    renameSync(staging, finalDir);
    return { dir: finalDir, manifest, removed: pruneBackups(options.root, options.keep, at.getTime()) };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Removes the oldest complete backups beyond `keep`, and stale partial ones; returns the
 * complete backups removed.
 */
export function pruneBackups(root: string, keep: number, nowMs = Date.now()): string[] {
  const backups = listBackups(root);
  const removed = backups.slice(0, Math.max(0, backups.length - keep));
  for (const dir of removed) rmSync(dir, { recursive: true, force: true });
  for (const name of readdirSync(root).filter((entry) => PARTIAL_DIR_PATTERN.test(entry))) {
    const dir = join(root, name);
    if (statSync(dir).mtimeMs < nowMs - STALE_PARTIAL_MS) rmSync(dir, { recursive: true, force: true });
  }
  return removed;
}

/**
 * Copies the picture files the copied database references. A member may have replaced or
 * removed their picture since the database copy was taken: the copy then forgets the picture,
 * as if it had been removed, so the backup never names a file it lacks.
 */
function copyPictures(copy: Database, fromDir: string, toDir: string): number {
  const avatarIds = copy.prepare('SELECT avatar_id FROM users WHERE avatar_id IS NOT NULL').pluck().all() as string[];
  mkdirSync(toDir, { mode: PRIVATE_DIR_MODE });
  const forget = copy.prepare('UPDATE users SET avatar_id = NULL WHERE avatar_id = ?');
  let dropped = 0;
  for (const avatarId of avatarIds) {
    const names = pictureFileNames(avatarId);
    try {
      for (const name of names) copyFileSync(join(fromDir, name), join(toDir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      for (const name of names) rmSync(join(toDir, name), { force: true });
      forget.run(avatarId);
      dropped += 1;
    }
  }
  return dropped;
}

/** The files of one picture, as picture-service.ts names them. */
export function pictureFileNames(avatarId: string): string[] {
  return [`${avatarId}-${LARGE_SIZE_PX}.webp`, `${avatarId}-${SMALL_SIZE_PX}.webp`];
}

export function tableCounts(db: Database): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  // Table names come from the schema itself, not from outside.
  return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number]));
}

/** Paths of every file under a folder, relative to it, with forward slashes. */
export function filesOf(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      return entry.isDirectory() ? filesOf(dir, path) : [path];
    })
    .sort();
}

export function describeFile(dir: string, path: string): ManifestFile {
  const bytes = readFileSync(join(dir, path));
  return { path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
