// Brings a stopped box back from a backup: DIR is one backup folder, or a folder of backups (the
// newest is used). Refuses while the service runs; verifies the manifest, the checksums and the
// database's integrity before replacing anything; erases again the accounts deleted since the
// backup; keeps the replaced data in DATA_DIR/replaced-TIME.
//
//   systemctl stop porthello
//   npm run restore -- /var/backups/porthello [--env-file=/etc/porthello/porthello.env]
//   systemctl start porthello
import { AVATARS_DIR_NAME } from '../server/accounts/picture-service.js';
import { findBackup, restoreBackup } from '../server/db/restore.js';
import { readCommand, runCommand } from './data-cli.js';

const USAGE = 'npm run restore -- DIR [--env-file=PATH]';

await runCommand('restore', USAGE, async () => {
  const { config, dir } = readCommand(process.argv.slice(2), process.env, false);
  const backupDir = findBackup(dir);
  const result = restoreBackup({ dataDir: config.dataDir, picturesDirName: AVATARS_DIR_NAME, backupDir });
  for (const warning of result.warnings) process.stderr.write(`restore: warning: ${warning}\n`);
  process.stdout.write(`restored ${backupDir} (taken ${result.manifest.createdAt}) into ${config.dataDir}\n`);
  process.stdout.write(`${result.erased} accounts deleted since that backup were erased again\n`);
  if (result.replacedDir !== null) process.stdout.write(`the data it replaced is in ${result.replacedDir}; delete it once the service works\n`);
});
