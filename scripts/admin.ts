// The admin CLI: works on the configured database, also while the server runs (WAL, busy
// timeout). Reads the same configuration as the service (PORTHELLO_* and --env-file).
//
//   npm run admin -- <command> [arguments] [--env-file=/etc/porthello/porthello.env]
//
// Commands are in scripts/admin-commands.ts. Exit status: 0 done, 1 refused or failed, 2 usage.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAccountsModule } from '../server/accounts/accounts-module.js';
import { loadConfig } from '../server/config.js';
import { closeDatabase, DATABASE_FILE_NAME, openDatabase } from '../server/db/open.js';
import { AppError } from '../server/errors.js';
import { silentLogger } from '../server/log.js';
import { createStaffModule } from '../server/staff/staff-module.js';
import { COMMANDS } from './admin-commands.js';
import { runCommand, UsageError } from './data-cli.js';
import { environmentWith } from './env-file.js';

const USAGE = `npm run admin -- COMMAND [--env-file=PATH], where COMMAND is one of:\n  ${Object.values(COMMANDS)
  .map((command) => command.usage)
  .join('\n  ')}`;

function readFirstLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin });
  return new Promise((resolve) => {
    let done = false;
    const finish = (line: string): void => {
      if (done) return;
      done = true;
      lines.close();
      resolve(line);
    };
    lines.once('line', finish);
    lines.once('close', () => finish(''));
  });
}

await runCommand('admin', USAGE, async () => {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [name, ...args] = parsed.positionals;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) throw new UsageError(name === undefined ? 'missing command' : `unknown command ${name}`);
  const { 'env-file': envFile, ...options } = parsed.values;
  const config = loadConfig(environmentWith(envFile, process.env));
  const db = openDatabase(join(config.dataDir, DATABASE_FILE_NAME));
  try {
    const accounts = createAccountsModule({ config, db, log: silentLogger });
    const staff = createStaffModule({ config, db, log: silentLogger, accounts });
    await command.run({
      args,
      options: Object.fromEntries(Object.entries(options).map(([key, value]) => [key, typeof value === 'boolean' ? 'yes' : value])),
      accounts,
      staff,
      readLine: readFirstLine,
      print: (line) => void process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    // A refusal of the services (a bad field, an unknown account, the last admin) is the
    // operator's to fix: say it plainly, with the fields.
    if (error instanceof AppError && error.expose) {
      const fields =
        error.fields === undefined
          ? ''
          : ` (${Object.entries(error.fields)
              .map(([field, reason]) => `${field}: ${reason}`)
              .join(', ')})`;
      throw new Error(`${error.code}: ${error.message}${fields}`);
    }
    throw error;
  } finally {
    closeDatabase(db);
  }
});

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'env-file': { type: 'string' },
      email: { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      'accept-policy': { type: 'boolean' },
      uses: { type: 'string' },
      days: { type: 'string' },
    },
  });
}
