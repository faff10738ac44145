// The service's certificate: read, checked, and replaced in the listening servers without a
// restart, on SIGHUP (systemd's `ExecReload`) or when the files change on disk (a renewal by
// certbot, acme.sh or a copy). Calls and WebSockets stay up: only new handshakes see the new
// certificate. A broken pair (unreadable, unparsable, key not matching) never replaces a working one.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from './log.js';

/** TLS 1.0 and 1.1 are deprecated (RFC 8996). */
export const TLS_MIN_VERSION = 'TLSv1.2';
/** Renewal tools write the certificate and the key one after the other: wait for both. */
export const CERTIFICATE_SETTLE_MS = 500;

export type CertificateFiles = Readonly<{ certPath: string; keyPath: string }>;
export type CertificatePair = Readonly<{ cert: Buffer; key: Buffer }>;

/** Options for tls.createServer and setSecureContext. */
export function secureContextOptions(pair: CertificatePair): SecureContextOptions {
  return { cert: pair.cert, key: pair.key, minVersion: TLS_MIN_VERSION };
}

/** Reads both files and proves they make a context (the key matches the certificate); throws otherwise. */
export function readCertificate(files: CertificateFiles): CertificatePair {
  const pair = { cert: readFileSync(files.certPath), key: readFileSync(files.keyPath) };
  createSecureContext(secureContextOptions(pair));
  return pair;
}

export type CertificateReloader = {
  /** Reads the files again and hands a sound pair to every server; false when it kept the old one. */
  reload(reason: string): boolean;
  close(): void;
};

/**
 * Reloads on demand and when either file changes. The folders are watched, not the files: renewal
 * tools replace files (or the symlinks to them), which a watch on the old file would miss.
 */
export function createCertificateReloader(files: CertificateFiles, apply: ReadonlyArray<(pair: CertificatePair) => void>, log: Logger): CertificateReloader {
  const reload = (reason: string): boolean => {
    let pair: CertificatePair;
    try {
      pair = readCertificate(files);
    } catch (error) {
      log.error('tls', 'certificate not reloaded: the files do not make a valid pair; the previous one stays', { reason, error: errorSummary(error) });
      return false;
    }
    for (const server of apply) server(pair);
    log.info('tls', 'certificate reloaded', { reason });
    return true;
  };

  const names = new Set([basename(files.certPath), basename(files.keyPath)]);
  let timer: NodeJS.Timeout | undefined;
  const onChange = (_event: string, name: string | Buffer | null): void => {
    if (name !== null && !names.has(name.toString())) return;
    clearTimeout(timer);
    timer = setTimeout(() => reload('files changed'), CERTIFICATE_SETTLE_MS);
  };
  const watchers: FSWatcher[] = [];
  for (const folder of new Set([dirname(files.certPath), dirname(files.keyPath)])) {
    try {
      watchers.push(watch(folder, { persistent: false }, onChange));
    } catch (error) {
      log.warn('tls', 'cannot watch the certificate folder; reload with SIGHUP after a renewal', { error: errorSummary(error) });
    }
  }

  return {
    reload,
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

function errorSummary(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
