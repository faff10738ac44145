// Configuration: one pure function from the environment to a frozen, typed object.
// Every setting is a PORTHELLO_* variable; `config/porthello.env.example` documents each one
// and test/config.test.ts keeps that file and CONFIG_KEYS in step.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { type FileSystemProbe, realFileSystem } from './config-files.js';
import type { Env } from './config-keys.js';
import { createReader } from './config-reader.js';
import { type MetricsConfig, readMetricsConfig } from './config-metrics.js';
import { readMailConfig, type MailConfig } from './config-mail.js';
import { readOrganisationConfig, type OrganisationConfig } from './config-organisation.js';
import { readTurnConfig, type TurnConfig } from './config-turn.js';
import { readAccessConfig, type AccessConfig } from './config-access.js';
import { readSupportConfig, type SupportConfig } from './config-support.js';

export type { FileSystemProbe };
export { CONFIG_KEYS, type ConfigKey, type Env } from './config-keys.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Config = Readonly<{
  host: string;
  port: number;
  dataDir: string;
  /** The origin users reach (scheme, host, port; no path), e.g. "https://call.example.org". */
  publicOrigin: string;
  /**
   * The origins whose pages may use the API and the signaling socket: the public origin, and for a
   * local trial (no PORTHELLO_PUBLIC_URL, listening on loopback) the other loopback names of the
   * same port, so http://localhost:8080 works as well as http://127.0.0.1:8080.
   */
  pageOrigins: readonly string[];
  /** True when users reach the service over HTTPS (directly or through a reverse proxy). */
  isHttps: boolean;
  tls: Readonly<{ certPath: string; keyPath: string }> | null;
  /**
   * With built-in TLS, a plain-HTTP listener (usually port 80) that only redirects to the public
   * URL and, when a folder is given, serves ACME HTTP-01 challenges from it. null: none.
   */
  httpRedirect: Readonly<{ port: number; acmeChallengeDir: string | null }> | null;
  trustProxy: boolean;
  logLevel: LogLevel;
  accounts: Readonly<{
    /** bcrypt work factor: each step doubles the time of a hash (12 ≈ 215 ms on one core here). */
    bcryptCost: number;
    /** A session unused for this long ends. */
    sessionIdleMs: number;
    /** A session ends this long after log-in, however active. */
    sessionMaxMs: number;
    /** New accounts per client address (IPv6 by /64) per hour, and in total per hour. */
    signupsPerAddressPerHour: number;
    signupsPerHour: number;
  }>;
  calls: Readonly<{
    /** A caller turned down (declined, no answer, unavailable) waits this long before ringing that member again; 0 = no cool-down. */
    ringCooldownMs: number;
    /** A guest whose knock was refused waits this long before knocking at that member again; 0 = no cool-down. */
    knockRefusedCooldownMs: number;
    /** Rings from one caller within this long share one row of the callee's log. */
    callLogRepeatWindowMs: number;
    /** Rows each member's call log keeps; the oldest go first. */
    callLogMaxEntries: number;
  }>;
  turn: TurnConfig;
  metrics: MetricsConfig;
  access: AccessConfig;
  /** SMTP and the sender; `mail.smtp` is null when no e-mail is sent. */
  mail: MailConfig;
  /** The data controller named on the privacy page. */
  organisation: OrganisationConfig;
  /** The support inbox: how long prospects' conversations are kept. */
  support: SupportConfig;
}>;

/** Thrown by loadConfig with one line per bad key, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const MIN_PORT = 1;
/** bcrypt below 10 is too cheap for real use; 4 is its own floor and only suits tests. */
const MIN_BCRYPT_COST = 4;
const MAX_BCRYPT_COST = 15;
const MINUTE_MS = 60_000;
/** Sign-up limits above this are certainly a typo (or a test). */
const MAX_SIGNUPS_PER_HOUR = 100_000;
const HOUR_MS = 3600_000;
/** A cool-down past an hour would stop a member's own colleagues from calling back that day. */
const MAX_RING_COOLDOWN_S = 3600;
/** A refused guest may come back the next day, with a new browser session anyway. */
const MAX_KNOCK_COOLDOWN_S = 24 * 3600;
/** A day: past it, "repeats" are separate calls a member wants to see. */
const MAX_CALL_LOG_REPEAT_MINUTES = 24 * 60;
/** Bounds each member's log (and the database) whatever the setting; a few entries at least. */
const MIN_CALL_LOG_ENTRIES = 10;
const MAX_CALL_LOG_ENTRIES = 100_000;
const DAY_MS = 24 * HOUR_MS;

/** Reads and validates the environment; throws ConfigError naming every bad key at once. */
export function loadConfig(env: Env, fs: FileSystemProbe = realFileSystem): Config {
  const reader = createReader(env);
  const { raw, fail, port, integer, boolean } = reader;

  const host = raw('PORTHELLO_HOST');
  if (isIP(host) === 0 && host !== 'localhost') fail('PORTHELLO_HOST', 'must be an IP address');
  // Port 0 (any free port) only makes sense when the public URL says how users reach us.
  const httpPort = raw('PORTHELLO_PORT') === '0' && raw('PORTHELLO_PUBLIC_URL') !== '' ? 0 : port('PORTHELLO_PORT', MIN_PORT);

  const tlsCert = raw('PORTHELLO_TLS_CERT');
  const tlsKey = raw('PORTHELLO_TLS_KEY');
  let tls: Config['tls'] = null;
  if (tlsCert !== '' || tlsKey !== '') {
    if (tlsCert === '' || !fs.isReadableFile(tlsCert)) fail('PORTHELLO_TLS_CERT', 'must name a readable PEM file when TLS is on');
    if (tlsKey === '' || !fs.isReadableFile(tlsKey)) fail('PORTHELLO_TLS_KEY', 'must name a readable PEM file when TLS is on');
    tls = Object.freeze({ certPath: resolve(tlsCert), keyPath: resolve(tlsKey) });
  }

  const redirectPort = raw('PORTHELLO_HTTP_REDIRECT_PORT') === '0' ? 0 : port('PORTHELLO_HTTP_REDIRECT_PORT', MIN_PORT);
  const acmeDir = raw('PORTHELLO_ACME_CHALLENGE_DIR');
  if (redirectPort !== 0 && tls === null)
    fail('PORTHELLO_HTTP_REDIRECT_PORT', 'needs built-in TLS (PORTHELLO_TLS_CERT and PORTHELLO_TLS_KEY): it redirects to HTTPS');
  if (redirectPort !== 0 && redirectPort === httpPort) fail('PORTHELLO_HTTP_REDIRECT_PORT', 'must differ from PORTHELLO_PORT');
  if (acmeDir !== '' && redirectPort === 0) fail('PORTHELLO_ACME_CHALLENGE_DIR', 'is served by the redirect listener: set PORTHELLO_HTTP_REDIRECT_PORT too');
  if (acmeDir !== '' && !fs.isReadableDir(acmeDir)) fail('PORTHELLO_ACME_CHALLENGE_DIR', 'must name a readable folder');
  const httpRedirect = redirectPort === 0 ? null : Object.freeze({ port: redirectPort, acmeChallengeDir: acmeDir === '' ? null : resolve(acmeDir) });

  const publicOrigin = parsePublicUrl(raw('PORTHELLO_PUBLIC_URL'), tls !== null, host, httpPort);
  if (typeof publicOrigin !== 'string') fail('PORTHELLO_PUBLIC_URL', publicOrigin.problem);

  const logLevel = raw('PORTHELLO_LOG_LEVEL').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) fail('PORTHELLO_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const turn = readTurnConfig(reader);
  const metrics = readMetricsConfig(reader);
  const access = readAccessConfig(reader);
  const mail = readMailConfig(reader);
  const organisation = readOrganisationConfig(reader);
  const support = readSupportConfig(reader);

  const bcryptCost = integer('PORTHELLO_BCRYPT_COST', MIN_BCRYPT_COST, MAX_BCRYPT_COST);
  const sessionIdleHours = integer('PORTHELLO_SESSION_IDLE_HOURS', 1, 24 * 365);
  const sessionMaxDays = integer('PORTHELLO_SESSION_MAX_DAYS', 1, 365);
  const ringCooldownS = integer('PORTHELLO_RING_COOLDOWN_S', 0, MAX_RING_COOLDOWN_S);
  const knockCooldownS = integer('PORTHELLO_KNOCK_COOLDOWN_S', 0, MAX_KNOCK_COOLDOWN_S);
  const callLogRepeatMinutes = integer('PORTHELLO_CALL_LOG_REPEAT_MINUTES', 0, MAX_CALL_LOG_REPEAT_MINUTES);
  const callLogMaxEntries = integer('PORTHELLO_CALL_LOG_MAX_ENTRIES', MIN_CALL_LOG_ENTRIES, MAX_CALL_LOG_ENTRIES);
  const signupsPerAddressPerHour = integer('PORTHELLO_SIGNUPS_PER_ADDRESS_PER_HOUR', 1, MAX_SIGNUPS_PER_HOUR);
  const signupsPerHour = integer('PORTHELLO_SIGNUPS_PER_HOUR', 1, MAX_SIGNUPS_PER_HOUR);
  if (sessionIdleHours * HOUR_MS > sessionMaxDays * DAY_MS) fail('PORTHELLO_SESSION_IDLE_HOURS', 'must not be longer than PORTHELLO_SESSION_MAX_DAYS');
  const dataDir = resolve(raw('PORTHELLO_DATA_DIR'));
  const trustProxy = boolean('PORTHELLO_TRUST_PROXY');

  // Touch the file system last, and only when the rest is sound enough to be worth it.
  const dataDirProblem = fs.prepareWritableDir(dataDir);
  if (dataDirProblem !== null) fail('PORTHELLO_DATA_DIR', dataDirProblem);

  if (reader.problems.length > 0 || typeof publicOrigin !== 'string') throw new ConfigError(reader.problems);

  return Object.freeze({
    host,
    port: httpPort,
    dataDir,
    publicOrigin,
    pageOrigins: Object.freeze(raw('PORTHELLO_PUBLIC_URL') === '' ? loopbackAliases(publicOrigin, host, httpPort) : [publicOrigin]),
    isHttps: publicOrigin.startsWith('https:'),
    tls,
    httpRedirect,
    trustProxy,
    logLevel: logLevel as LogLevel,
    accounts: Object.freeze({
      bcryptCost,
      sessionIdleMs: sessionIdleHours * HOUR_MS,
      sessionMaxMs: sessionMaxDays * DAY_MS,
      signupsPerAddressPerHour,
      signupsPerHour,
    }),
    calls: Object.freeze({
      ringCooldownMs: ringCooldownS * 1000,
      knockRefusedCooldownMs: knockCooldownS * 1000,
      callLogRepeatWindowMs: callLogRepeatMinutes * MINUTE_MS,
      callLogMaxEntries,
    }),
    turn,
    metrics,
    access,
    mail,
    organisation,
    support,
  });
}

/** The public URL must be a bare origin: links, cookies and Origin checks all derive from it. */
function parsePublicUrl(text: string, tlsOn: boolean, host: string, port: number): string | { problem: string } {
  if (text === '') {
    const shownHost = isIP(host) === 6 ? `[${host}]` : host;
    return `${tlsOn ? 'https' : 'http'}://${shownHost}:${port}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'must be an absolute http(s) URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: 'must start with http:// or https://' };
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return { problem: 'must be an origin only (no path, query, fragment or credentials)' };
  }
  return url.origin;
}

/** The names a browser on this box may use for a loopback listener: the public origin first. */
function loopbackAliases(publicOrigin: string, host: string, port: number): string[] {
  const scheme = publicOrigin.slice(0, publicOrigin.indexOf(':'));
  const names = LOOPBACK_NAMES_BY_HOST[host];
  if (names === undefined) return [publicOrigin];
  return [publicOrigin, ...names.map((name) => `${scheme}://${name}:${port}`).filter((origin) => origin !== publicOrigin)];
}

/** Loopback listeners and the host names that reach them (`localhost` resolves to either family). */
const LOOPBACK_NAMES_BY_HOST: Readonly<Record<string, readonly string[]>> = {
  '127.0.0.1': ['127.0.0.1', 'localhost'],
  '::1': ['[::1]', 'localhost'],
  localhost: ['localhost', '127.0.0.1', '[::1]'],
};

/** Parses an env file as systemd's EnvironmentFile reads it: KEY=VALUE lines, # comments, optional quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (match === null) continue;
    const [, key, value] = match as unknown as [string, string, string];
    const quoted = /^(["'])(.*)\1$/.exec(value);
    values[key] = quoted === null ? value : (quoted[2] ?? '');
  }
  return values;
}
