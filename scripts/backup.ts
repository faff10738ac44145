// Backs up the live service, while it runs: the database (SQLite's online backup API) and the
// profile pictures, into a new timestamped folder under DIR with a manifest; then removes the
// oldest backups beyond --keep (7 by default). Reads the same configuration as the service.
//
//   npm run backup -- /var/backups/porthello [--keep 14] [--env-file=/etc/porthello/porthello.env]
import { relative } from 'node:path';
import { AVATARS_DIR_NAME } from '../server/accounts/picture-service.js';
import { createBackup, DEFAULT_BACKUPS_KEPT, MAX_BACKUPS_KEPT } from '../server/db/backup.js';
import { readCommand, runCommand, UsageError } from './data-cli.js';

const USAGE = 'npm run backup -- DIR [--keep N] [--env-file=PATH]';

await runCommand('backup', USAGE, async () => {
  const { config, dir, keep } = readCommand(process.argv.slice(2), process.env, true);
  const kept = keep === undefined ? DEFAULT_BACKUPS_KEPT : Number(keep);
  if (!/^\d+$/.test(keep ?? String(DEFAULT_BACKUPS_KEPT)) || kept < 1 || kept > MAX_BACKUPS_KEPT)
    throw new UsageError(`--keep must be an integer from 1 to ${MAX_BACKUPS_KEPT}`);
  const result = await createBackup({ dataDir: config.dataDir, picturesDirName: AVATARS_DIR_NAME, root: dir, keep: kept });
  const { counts, files, picturesDropped } = result.manifest;
  process.stdout.write(`backup written to ${result.dir}: schema ${result.manifest.schemaVersion}, ${counts['users'] ?? 0} members, ${files.length} files\n`);
  if (picturesDropped > 0) process.stdout.write(`${picturesDropped} pictures changed during the backup and were left out\n`);
  for (const removed of result.removed) process.stdout.write(`removed old backup ${relative(dir, removed)} (keeping ${kept})\n`);
});
