// What the backup and restore commands share: their arguments, the configuration (the same
// PORTHELLO_* environment and --env-file as the service, so they find the same data directory)
// and their exit statuses.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, parseEnvFile, type Config } from '../server/config.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export type DataCommand = Readonly<{ config: Config; dir: string; keep: string | undefined }>;

/** Parses `DIR [--keep N] [--env-file=PATH]`; throws UsageError or ConfigError. */
export function readCommand(argv: readonly string[], env: NodeJS.ProcessEnv, allowKeep: boolean): DataCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [dir, ...extra] = parsed.positionals;
  if (dir === undefined || extra.length > 0) throw new UsageError('expected exactly one folder');
  if (!allowKeep && parsed.values.keep !== undefined) throw new UsageError('--keep is an option of backup only');
  const envFile = parsed.values['env-file'];
  let fileValues: Record<string, string> = {};
  if (envFile !== undefined) {
    try {
      fileValues = parseEnvFile(readFileSync(envFile, 'utf8'));
    } catch (error) {
      throw new ConfigError([`--env-file: cannot read ${envFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
  }
  // Variables of the real environment win over the file, as for the service.
  return { config: loadConfig({ ...fileValues, ...env }), dir, keep: parsed.values.keep };
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, options: { keep: { type: 'string' }, 'env-file': { type: 'string' } } });
}

/** Runs a command, mapping its failures to a message on stderr and an exit status. */
export async function runCommand(name: string, usage: string, body: () => Promise<void>): Promise<never> {
  try {
    await body();
    process.exit(EXIT_OK);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}\nusage: ${usage}\n`);
      process.exit(EXIT_USAGE);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT_FAILURE);
  }
}
