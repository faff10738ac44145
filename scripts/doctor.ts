// npm run doctor: a preflight for sysadmins. Reads the same settings as the service and checks
// them, the certificate, the relay (from outside the service, as a browser would use it), the
// external address, the clock, the disk, the database and the installed unit; prints each
// problem with how to fix it. Exit status 0 when nothing is wrong (warnings allowed), 1 when
// something is, 2 for a usage error.
//
//   npm run doctor -- [--env-file=/etc/porthello/porthello.env] [--unit=/etc/systemd/system/porthello.service]
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../server/config.js';
import { DATABASE_FILE_NAME } from '../server/db/open.js';
import { projectPath } from '../server/paths.js';
import {
  checkCertificate,
  checkClock,
  checkDatabase,
  checkDisk,
  checkExternalIp,
  checkPublicUrl,
  checkUnit,
  lookingFileSystem,
  type Finding,
} from './doctor-checks.js';
import { checkServedCertificate } from './doctor-remote.js';
import { checkTurn } from './doctor-turn.js';
import { environmentWith } from './env-file.js';
import { localOrigin } from './local-service.js';

const INSTALLED_UNIT = '/etc/systemd/system/porthello.service';
const EXIT_OK = 0;
const EXIT_PROBLEMS = 1;
const EXIT_USAGE = 2;

function print(finding: Finding): void {
  const label = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' }[finding.level];
  process.stdout.write(`${label} ${finding.name}: ${finding.message}\n`);
  if (finding.level !== 'ok' && finding.fix !== undefined) process.stdout.write(`     fix: ${finding.fix}\n`);
}

/** systemd's view of time synchronisation, or null where it cannot say. */
function ntpSynchronized(): boolean | null {
  const result = spawnSync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  const value = result.stdout.trim();
  return value === 'yes' ? true : value === 'no' ? false : null;
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && !entry.internal)
    .map((entry) => entry?.address ?? '');
}

async function runChecks(config: Config, env: Record<string, string | undefined>, unitPath: string): Promise<Finding[]> {
  const now = Date.now();
  const databasePath = join(config.dataDir, DATABASE_FILE_NAME);
  const findings: Finding[] = [{ name: 'configuration', level: 'ok', message: 'every setting is valid' }, checkPublicUrl(config)];
  // Built-in TLS: the files Porthello serves; behind a proxy: what the proxy serves.
  const certificate = config.tls !== null ? checkCertificate(config, now) : config.isHttps ? await checkServedCertificate(config.publicOrigin, now) : null;
  if (certificate !== null) findings.push(certificate);
  const external = checkExternalIp(config, interfaceAddresses());
  if (external !== null) findings.push(external);
  findings.push(...(await checkTurn(config, localOrigin(env), lookingFileSystem.isReadableFile(databasePath) ? databasePath : null)));
  findings.push(checkClock(now, statSync(projectPath('package.json')).mtimeMs, ntpSynchronized()));
  findings.push(checkDisk(config.dataDir));
  findings.push(checkDatabase(databasePath));
  const unit = checkUnit(unitPath, projectPath('porthello.service'));
  if (unit !== null) findings.push(unit);
  return findings;
}

async function main(): Promise<number> {
  let values: { 'env-file'?: string | undefined; unit?: string | undefined };
  try {
    values = parseArgs({ options: { 'env-file': { type: 'string' }, unit: { type: 'string' } } }).values;
  } catch (error) {
    process.stderr.write(`doctor: ${error instanceof Error ? error.message : String(error)}\nusage: npm run doctor -- [--env-file=PATH] [--unit=PATH]\n`);
    return EXIT_USAGE;
  }
  let env: Record<string, string | undefined>;
  let config: Config;
  try {
    env = environmentWith(values['env-file'], process.env);
    config = loadConfig(env, lookingFileSystem);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems)
        print({
          name: 'configuration',
          level: 'fail',
          message: problem,
          fix: `correct it in ${values['env-file'] ?? 'the environment'} (config/porthello.env.example explains each setting)`,
        });
      return EXIT_PROBLEMS;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) {
      print({
        name: 'configuration',
        level: 'fail',
        message: `cannot read ${values['env-file'] ?? ''} (${code})`,
        fix: 'run as root, with the path of the settings file',
      });
      return EXIT_PROBLEMS;
    }
    throw error;
  }
  const findings = await runChecks(config, env, values.unit ?? INSTALLED_UNIT);
  for (const finding of findings) print(finding);
  const failed = findings.filter((finding) => finding.level === 'fail').length;
  const warned = findings.filter((finding) => finding.level === 'warn').length;
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  process.stdout.write(
    failed === 0 ? `no problem found${warned > 0 ? ` (${count(warned, 'warning')})` : ''}\n` : `${count(failed, 'problem')}, ${count(warned, 'warning')}\n`,
  );
  return failed === 0 ? EXIT_OK : EXIT_PROBLEMS;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`doctor: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT_PROBLEMS);
  },
);
