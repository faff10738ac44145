// Reading settings: one reader per loadConfig call turns raw environment strings into typed
// values and collects one problem line per bad key, so an operator fixes them all in one go.
// Each section of the configuration (server/config-*.ts) reads its own keys through it.
import { CONFIG_KEYS, type ConfigKey, type Env } from './config-keys.js';

export const MAX_PORT = 65535;
const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

export type ConfigReader = Readonly<{
  /** The trimmed value, or the key's default when unset or blank. */
  raw(key: ConfigKey): string;
  /** Records a problem with a key; the message shows the value read. */
  fail(key: ConfigKey, why: string): void;
  /** Records a problem whose message must not show the value (secrets). */
  problem(line: string): void;
  port(key: ConfigKey, min: number): number;
  integer(key: ConfigKey, min: number, max: number): number;
  boolean(key: ConfigKey): boolean;
  /** A comma-separated list, blanks dropped. */
  list(key: ConfigKey): string[];
  readonly problems: readonly string[];
}>;

export function createReader(env: Env): ConfigReader {
  const problems: string[] = [];
  const raw = (key: ConfigKey): string => {
    const value = env[key];
    return value === undefined || value.trim() === '' ? CONFIG_KEYS[key] : value.trim();
  };
  const fail = (key: ConfigKey, why: string): void => {
    problems.push(`${key}: ${why} (got "${raw(key)}")`);
  };
  const integer = (key: ConfigKey, min: number, max: number): number => {
    const text = raw(key);
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      fail(key, `must be an integer from ${min} to ${max}`);
      return min;
    }
    return value;
  };
  return {
    raw,
    fail,
    problem: (line) => {
      problems.push(line);
    },
    port: (key, min) => {
      const text = raw(key);
      if (/^\d+$/.test(text) && Number(text) >= min && Number(text) <= MAX_PORT) return Number(text);
      fail(key, `must be an integer from ${min} to ${MAX_PORT}`);
      return 0;
    },
    integer,
    boolean: (key) => {
      const text = raw(key).toLowerCase();
      if (TRUE_WORDS.has(text)) return true;
      if (!FALSE_WORDS.has(text)) fail(key, 'must be true or false');
      return false;
    },
    list: (key) =>
      raw(key)
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    problems,
  };
}
