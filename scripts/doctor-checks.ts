// npm run doctor's checks that need no network: each returns findings, a problem always with
// how to fix it. Pure where they can be (the caller passes paths, times and addresses).
import { accessSync, chownSync, constants as fsConstants, existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { Config, FileSystemProbe } from '../server/config.js';
import { isReadableDir, isReadableFile } from '../server/config-files.js';
import { createPeerFilter } from '../server/turn/peer-policy.js';

export type Finding = { name: string; level: 'ok' | 'warn' | 'fail'; message: string; fix?: string };

const DAY_MS = 24 * 3600_000;
/** A certificate closer than this to its end warns: renewal should have happened by then. */
export const CERTIFICATE_WARN_DAYS = 14;
/** Free space in the data directory below which the doctor warns, and fails. */
export const DISK_WARN_BYTES = 1024 ** 3;
export const DISK_FAIL_BYTES = 100 * 1024 ** 2;
/** Unit directives whose shipped value the installed unit must keep: its sandbox. */
export const HARDENING_KEYS = [
  'DynamicUser',
  'StateDirectoryMode',
  'UMask',
  'NoNewPrivileges',
  'ProtectSystem',
  'ProtectHome',
  'PrivateTmp',
  'PrivateDevices',
  'ProtectHostname',
  'ProtectClock',
  'ProtectKernelTunables',
  'ProtectKernelModules',
  'ProtectKernelLogs',
  'ProtectControlGroups',
  'ProtectProc',
  'ProcSubset',
  'RestrictAddressFamilies',
  'RestrictNamespaces',
  'RestrictRealtime',
  'RestrictSUIDSGID',
  'LockPersonality',
  'RemoveIPC',
  'SystemCallArchitectures',
  'SystemCallFilter',
  'CapabilityBoundingSet',
] as const;

/** The service's own view of the file system, except that the doctor creates nothing. */
export const lookingFileSystem: FileSystemProbe = {
  prepareWritableDir(path) {
    // Missing is fine: the service (or systemd's StateDirectory) creates it at start.
    if (!existsSync(path)) return null;
    try {
      if (!statSync(path).isDirectory()) return 'is not a directory';
      accessSync(path, fsConstants.W_OK | fsConstants.R_OK);
      return null;
    } catch (error) {
      return `cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
  },
  isReadableFile,
  isReadableDir,
};

export function checkPublicUrl(config: Config): Finding {
  const name = 'public URL';
  if (config.isHttps) return { name, level: 'ok', message: config.publicOrigin };
  const host = new URL(config.publicOrigin).hostname;
  if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]')
    return { name, level: 'warn', message: `${config.publicOrigin} only suits a trial on this machine`, fix: 'set PORTHELLO_PUBLIC_URL=https://your.name' };
  return {
    name,
    level: 'fail',
    message: `${config.publicOrigin} is not HTTPS: browsers refuse camera and microphone there`,
    fix: 'use built-in TLS (PORTHELLO_TLS_CERT/KEY) or a reverse proxy, and an https:// PORTHELLO_PUBLIC_URL (README, Production)',
  };
}

/** The certificate Porthello serves (built-in TLS): its end date and whether it names the public host. */
export function checkCertificate(config: Config, nowMs: number): Finding | null {
  if (config.tls === null) return null;
  const name = 'certificate';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(config.tls.certPath));
  } catch (error) {
    return {
      name,
      level: 'fail',
      message: `${config.tls.certPath} is not a PEM certificate (${error instanceof Error ? error.message : String(error)})`,
      fix: 'point PORTHELLO_TLS_CERT at the full chain PEM file',
    };
  }
  const host = new URL(config.publicOrigin).hostname.replace(/^\[|\]$/g, '');
  const covers = isIP(host) === 0 ? cert.checkHost(host) !== undefined : cert.checkIP(host) !== undefined;
  if (!covers) return { name, level: 'fail', message: `the certificate does not name ${host}`, fix: 'get a certificate for the host of PORTHELLO_PUBLIC_URL' };
  const endMs = Date.parse(cert.validTo);
  const daysLeft = Math.floor((endMs - nowMs) / DAY_MS);
  if (endMs <= nowMs) return { name, level: 'fail', message: `expired on ${cert.validTo}`, fix: 'renew it (certbot renew), then systemctl reload porthello' };
  if (Date.parse(cert.validFrom) > nowMs)
    return { name, level: 'fail', message: `not valid before ${cert.validFrom}: this clock or the certificate is wrong`, fix: 'check the clock (timedatectl)' };
  if (daysLeft < CERTIFICATE_WARN_DAYS)
    return {
      name,
      level: 'warn',
      message: `expires in ${daysLeft} days (${cert.validTo})`,
      fix: 'check that renewal runs (systemctl list-timers certbot*) and reloads porthello',
    };
  return { name, level: 'ok', message: `valid for ${host} for ${daysLeft} more days` };
}

/** The advertised relay address must be public; a box with a public address should say which. */
export function checkExternalIp(config: Config, interfaceAddresses: readonly string[]): Finding | null {
  if (config.turn.port === 0 || config.turn.external !== null) return null;
  const name = 'external IP';
  const isPublic = createPeerFilter({});
  const externalIp = config.turn.externalIp;
  if (externalIp !== null) {
    if (!isPublic(externalIp))
      return {
        name,
        level: 'fail',
        message: `PORTHELLO_TURN_EXTERNAL_IP=${externalIp} is not a public address: browsers elsewhere cannot reach it`,
        fix: 'set it to the address the Internet reaches this box at, or leave it empty when the box has that address itself',
      };
    return { name, level: 'ok', message: `relayed media is advertised at ${externalIp}` };
  }
  if (isPublic(config.turn.host)) return { name, level: 'ok', message: `the relay listens on the public address ${config.turn.host}` };
  const publicOne = interfaceAddresses.find((address) => isPublic(address));
  if (publicOne !== undefined)
    return {
      name,
      level: 'warn',
      message: `this box has the public address ${publicOne} but the relay listens on ${config.turn.host} and advertises no public one`,
      fix: `set PORTHELLO_TURN_HOST=${publicOne}, or PORTHELLO_TURN_EXTERNAL_IP behind 1:1 NAT`,
    };
  return {
    name,
    level: 'warn',
    message: `the relay advertises ${config.turn.host}, a private address: only callers on this network can use it`,
    fix: 'behind 1:1 NAT set PORTHELLO_TURN_EXTERNAL_IP to the public address',
  };
}

/**
 * The clock: not behind the build of this very copy (a box that booted without RTC), and
 * synchronised when systemd can tell (`ntpSynchronized` null: unknown).
 */
export function checkClock(nowMs: number, builtAtMs: number, ntpSynchronized: boolean | null): Finding {
  const name = 'clock';
  if (nowMs + DAY_MS < builtAtMs)
    return {
      name,
      level: 'fail',
      message: `the clock says ${new Date(nowMs).toISOString()}, before this copy was built`,
      fix: 'set the time and turn on NTP: timedatectl set-ntp true',
    };
  if (ntpSynchronized === false)
    return {
      name,
      level: 'warn',
      message: 'not synchronised (timedatectl: NTPSynchronized=no): certificates and session ends depend on it',
      fix: 'timedatectl set-ntp true',
    };
  return { name, level: 'ok', message: `${new Date(nowMs).toISOString()}${ntpSynchronized === true ? ', synchronised' : ''}` };
}

export function checkDisk(dataDir: string): Finding {
  const name = 'disk';
  let dir = dataDir;
  while (!existsSync(dir) && dir !== '/') dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const shown = `${(free / 1024 ** 3).toFixed(1)} GiB free for ${dataDir}`;
  if (free < DISK_FAIL_BYTES) return { name, level: 'fail', message: shown, fix: 'free space: the database refuses writes when the disk is full' };
  if (free < DISK_WARN_BYTES) return { name, level: 'warn', message: shown, fix: 'free some space, or move PORTHELLO_DATA_DIR to a larger disk' };
  return { name, level: 'ok', message: shown };
}

/**
 * Opens the service's database read-only and runs `use`. SQLite may create the -wal and -shm
 * files even so; run as root, they would then belong to root and lock the service (its dynamic
 * user) out, so any it created are given to the database file's owner afterwards.
 */
export function withDatabase<T>(path: string, use: (db: Database) => T): T {
  const companions = [`${path}-wal`, `${path}-shm`].filter((file) => !existsSync(file));
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    return use(db);
  } finally {
    db.close();
    const { uid, gid } = statSync(path);
    for (const file of companions) if (existsSync(file)) chownSync(file, uid, gid);
  }
}

export function checkDatabase(path: string): Finding {
  const name = 'database';
  if (!existsSync(path)) return { name, level: 'warn', message: `${path} does not exist yet: the service creates it at start`, fix: 'start the service' };
  try {
    const result = withDatabase(path, (db) =>
      (db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>).map((row) => row.integrity_check),
    );
    if (result.length === 1 && result[0] === 'ok') return { name, level: 'ok', message: `${path}: integrity_check ok` };
    return {
      name,
      level: 'fail',
      message: `${path}: integrity_check found ${result.length} problems, first: ${result[0] ?? ''}`,
      fix: 'stop the service and restore the latest backup (npm run restore)',
    };
  } catch (error) {
    return {
      name,
      level: 'fail',
      message: `${path} cannot be read as a database (${error instanceof Error ? error.message : String(error)})`,
      fix: 'stop the service and restore the latest backup (npm run restore)',
    };
  }
}

/** Directive lines (key=value, in order) of a unit file, for the keys given. */
function directives(text: string, keys: readonly string[]): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => keys.some((key) => line.startsWith(`${key}=`)));
}

export function checkUnit(installedPath: string, shippedPath: string): Finding | null {
  if (!existsSync(installedPath)) return null;
  const name = 'systemd unit';
  const installed = directives(readFileSync(installedPath, 'utf8'), HARDENING_KEYS);
  const shipped = directives(readFileSync(shippedPath, 'utf8'), HARDENING_KEYS);
  const missing = shipped.filter((line) => !installed.includes(line));
  const extra = installed.filter((line) => !shipped.includes(line));
  if (missing.length === 0 && extra.length === 0) return { name, level: 'ok', message: `${installedPath} keeps the shipped sandbox` };
  const changes = [...missing.map((line) => `missing ${line}`), ...extra.map((line) => `changed to ${line}`)].join('; ');
  return {
    name,
    level: 'fail',
    message: `${installedPath} differs from the shipped sandbox: ${changes}`,
    fix: `install the shipped unit again (scripts/install.sh, or copy ${shippedPath}), then systemctl daemon-reload`,
  };
}
