// The environment the service would see, for the sysadmin's commands (doctor, wait-healthy):
// the --env-file's variables, with the real environment winning, as in server/main.ts.
import { readFileSync } from 'node:fs';
import { parseEnvFile } from '../server/config.js';

export function environmentWith(envFile: string | undefined, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  if (envFile === undefined) return { ...env };
  return { ...parseEnvFile(readFileSync(envFile, 'utf8')), ...env };
}
