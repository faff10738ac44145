// Restore: brings a stopped box back from a backup made by backup.ts. Nothing is replaced until
// the backup is verified (manifest, checksums, integrity_check, row counts) and staged beside the
// live data; accounts deleted since the backup are erased again (erasures.ts); the data replaced
// is kept aside in the data directory, never deleted.
import { chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  describeFile,
  filesOf,
  listBackups,
  MANIFEST_FILE_NAME,
  pictureFileNames,
  tableCounts,
  type BackupPaths,
  type Manifest,
} from './backup.js';
import { erasedMembers, readErasures, type ErasureSet } from './erasures.js';
import { createMemberData } from './member-data.js';
import { readMigrations } from './migrate.js';
import { BUSY_TIMEOUT_MS, closeDatabase, DATABASE_FILE_NAME, MIGRATIONS_DIR, openDatabase } from './open.js';

/** The SQLite files of the live database: the file and, in WAL mode, its log and index. */
const DATABASE_FILES = [DATABASE_FILE_NAME, `${DATABASE_FILE_NAME}-wal`, `${DATABASE_FILE_NAME}-shm`];
/** A relative path inside a backup: plain names, no "..", no absolute path. */
const SAFE_RELATIVE_PATH = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const PRIVATE_DIR_MODE = 0o700;

/** A restore that must not go ahead; nothing has been changed when it is thrown. */
export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefused';
  }
}

export type RestoreResult = Readonly<{
  manifest: Manifest;
  /** Where the replaced data went, or null when the data directory held none. */
  replacedDir: string | null;
  /** Accounts deleted after the backup was taken, erased again. */
  erased: number;
  /** Erasure sources that could not be read (a damaged older backup). */
  warnings: readonly string[];
}>;

/** A backup folder itself, or the newest backup under a folder of backups. */
export function findBackup(path: string): string {
  if (existsSync(join(path, MANIFEST_FILE_NAME))) return path;
  const newest = listBackups(path).at(-1);
  if (newest === undefined) throw new RestoreRefused(`no backup at ${path} (no ${MANIFEST_FILE_NAME}, and no backup folder inside)`);
  return newest;
}

/** Checks a backup completely without changing anything; returns its manifest. */
export function verifyBackup(dir: string): Manifest {
  const manifest = readManifest(dir);
  const listed = new Set(manifest.files.map((file) => file.path));
  for (const file of manifest.files) {
    if (!existsSync(join(dir, file.path))) throw new RestoreRefused(`the backup lacks ${file.path}`);
    const actual = describeFile(dir, file.path);
    if (actual.bytes !== file.bytes || actual.sha256 !== file.sha256)
      throw new RestoreRefused(`${file.path} does not match its checksum in the manifest: the backup is damaged`);
  }
  const unlisted = filesOf(dir).filter((path) => path !== MANIFEST_FILE_NAME && !listed.has(path));
  if (unlisted.length > 0) throw new RestoreRefused(`the backup holds files its manifest does not list: ${unlisted.join(', ')}`);
  const latest = readMigrations(MIGRATIONS_DIR).length;
  if (manifest.schemaVersion > latest)
    throw new RestoreRefused(`the backup is at schema version ${manifest.schemaVersion}, newer than this release knows (${latest}): upgrade Porthello first`);
  const db = new BetterSqlite3(join(dir, DATABASE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new RestoreRefused(`the backup's database failed its integrity check (${String(check)})`);
    const counts = tableCounts(db);
    if (JSON.stringify(counts) !== JSON.stringify(manifest.counts)) throw new RestoreRefused("the backup's row counts differ from its manifest");
  } finally {
    db.close();
  }
  return manifest;
}

/**
 * True when another process has the database open (the service, a backup): SQLite refuses the
 * exclusive lock then. The probe changes nothing.
 */
export function databaseInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new BetterSqlite3(path, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    db.close();
  }
}

export function restoreBackup(options: BackupPaths & { backupDir: string; now?: () => Date }): RestoreResult {
  const { dataDir, picturesDirName, backupDir } = options;
  const manifest = verifyBackup(backupDir);
  const livePath = join(dataDir, DATABASE_FILE_NAME);
  const refuseIfRunning = (): void => {
    if (databaseInUse(livePath)) throw new RestoreRefused(`${livePath} is in use: stop the service first (systemctl stop porthello)`);
  };
  refuseIfRunning();

  const { sets, warnings } = collectErasures(livePath, backupDir);
  const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[-:.]/g, '');
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // Staged inside the data directory, so the final moves are renames on one file system.
  const staging = join(dataDir, `.restore-${stamp}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, picturesDirName), { recursive: true, mode: PRIVATE_DIR_MODE });
  let erased: number;
  try {
    for (const file of manifest.files) {
      mkdirSync(dirname(join(staging, file.path)), { recursive: true, mode: PRIVATE_DIR_MODE });
      copyFileSync(join(backupDir, file.path), join(staging, file.path));
    }
    // Migrates an older backup to this release's schema, in WAL mode like the live file.
    const db = openDatabase(join(staging, DATABASE_FILE_NAME));
    try {
      const members = erasedMembers(db, sets);
      const memberData = createMemberData(db);
      for (const memberId of members) memberData.deleteRows(memberId);
      erased = members.length;
      removeUnreferencedPictures(db, join(staging, picturesDirName));
      const check = db.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new RestoreRefused(`the restored database failed its integrity check (${String(check)})`);
    } finally {
      closeDatabase(db);
    }
    refuseIfRunning();
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }

  const replacedDir = join(dataDir, `replaced-${stamp}`);
  const current = [...DATABASE_FILES, picturesDirName].filter((name) => existsSync(join(dataDir, name)));
  if (current.length > 0) mkdirSync(replacedDir, { mode: PRIVATE_DIR_MODE });
  try {
    swapIn([
      ...current.map((name) => [join(dataDir, name), join(replacedDir, name)] as const),
      ...[DATABASE_FILE_NAME, picturesDirName].map((name) => [join(staging, name), join(dataDir, name)] as const),
    ]);
  } catch (error) {
    // Only when the files went back: a replaced folder still holding data is never removed.
    if (current.length > 0 && readdirSync(replacedDir).length === 0) rmdirSync(replacedDir);
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  giveToDataDirOwner(dataDir, [DATABASE_FILE_NAME, picturesDirName]);
  return { manifest, replacedDir: current.length > 0 ? replacedDir : null, erased, warnings };
}

/** Renames each pair in order; if one fails, undoes the renames done so the data is as it was. */
export function swapIn(moves: readonly (readonly [string, string])[]): void {
  const done: (readonly [string, string])[] = [];
  try {
    for (const [from, to] of moves) {
      renameSync(from, to);
      done.push([from, to]);
    }
  } catch (error) {
    for (const [from, to] of done.reverse()) renameSync(to, from);
    throw new Error(`the restore could not move the files into place (${(error as Error).message}); the data directory is as it was`, { cause: error });
  }
}

function readManifest(dir: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dir, MANIFEST_FILE_NAME), 'utf8'));
  } catch (error) {
    throw new RestoreRefused(`cannot read ${join(dir, MANIFEST_FILE_NAME)} (${(error as Error).message})`);
  }
  const manifest = parsed as Partial<Manifest> | null;
  const fileOk = (file: unknown): boolean => {
    const candidate = file as Partial<Manifest['files'][number]> | null;
    return (
      typeof candidate?.path === 'string' &&
      SAFE_RELATIVE_PATH.test(candidate.path) &&
      Number.isInteger(candidate.bytes) &&
      typeof candidate.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(candidate.sha256)
    );
  };
  if (manifest?.format !== BACKUP_FORMAT || manifest.formatVersion !== BACKUP_FORMAT_VERSION)
    throw new RestoreRefused(`${dir} is not a Porthello backup of format ${BACKUP_FORMAT_VERSION}`);
  if (
    !Number.isInteger(manifest.schemaVersion) ||
    typeof manifest.counts !== 'object' ||
    manifest.counts === null ||
    !Array.isArray(manifest.files) ||
    !manifest.files.every(fileOk)
  ) {
    throw new RestoreRefused(`the manifest of ${dir} is malformed`);
  }
  if (!manifest.files.some((file) => file.path === DATABASE_FILE_NAME)) throw new RestoreRefused(`the manifest of ${dir} lists no ${DATABASE_FILE_NAME}`);
  return manifest as Manifest;
}

/**
 * Erasures known anywhere: in the data being replaced and in every backup beside the one
 * restored (a newer backup remembers deletions even when the live data is lost). Applying a
 * token is always safe: it matches only the member who was deleted.
 */
function collectErasures(livePath: string, backupDir: string): { sets: ErasureSet[]; warnings: string[] } {
  const sets: ErasureSet[] = [];
  const warnings: string[] = [];
  const sources = [...(existsSync(livePath) ? [livePath] : []), ...listBackups(dirname(backupDir)).map((dir) => join(dir, DATABASE_FILE_NAME))];
  for (const path of sources) {
    try {
      const db = new BetterSqlite3(path, { fileMustExist: true, readonly: true, timeout: BUSY_TIMEOUT_MS });
      try {
        const set = readErasures(db);
        if (set !== null) sets.push(set);
      } finally {
        db.close();
      }
    } catch (error) {
      if (path === livePath)
        throw new RestoreRefused(`cannot read the erasures of the current database ${path} (${(error as Error).message}); move it away to restore without it`);
      warnings.push(`erasures of ${basename(dirname(path))} not read (${(error as Error).message})`);
    }
  }
  return { sets, warnings };
}

/** Pictures of erased members (and any stray file) go: only referenced pictures are kept. */
function removeUnreferencedPictures(db: ReturnType<typeof openDatabase>, dir: string): void {
  const avatarIds = db.prepare('SELECT avatar_id FROM users WHERE avatar_id IS NOT NULL').pluck().all() as string[];
  const kept = new Set(avatarIds.flatMap(pictureFileNames));
  for (const path of filesOf(dir)) if (!kept.has(path)) unlinkSync(join(dir, path));
}

/** Run as root for a service with its own user: the restored files must stay the service's. */
function giveToDataDirOwner(dataDir: string, names: readonly string[]): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = statSync(dataDir);
  for (const name of names) {
    const path = join(dataDir, name);
    chownSync(path, uid, gid);
    if (statSync(path).isDirectory()) for (const file of filesOf(path)) chownSync(join(path, file), uid, gid);
  }
}
