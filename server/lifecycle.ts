// How the process stops: on SIGTERM or SIGINT, in a written order, within a deadline; and how
// it dies: after an unexpected exception it logs and exits non-zero for systemd to restart it.
import type { Server } from 'node:http';
import type { Database } from 'better-sqlite3';
import { closeDatabase } from './db/open.js';
import type { Logger } from './log.js';

/** systemd waits 90 s before SIGKILL; finishing well within 5 s keeps restarts quick. */
export const SHUTDOWN_DEADLINE_MS = 5000;
export const EXIT_FAILURE = 1;

/** What has been opened so far; shutdown closes what is there, in this order. */
export type RunningParts = {
  server?: Server;
  /** The plain-HTTP listener that redirects to HTTPS, when configured. */
  redirectServer?: Server;
  /** Closes every WebSocket with 1001 "going away". */
  closeWebSockets?: () => Promise<void>;
  /** TURN credentials: its sweep timer stops and every credential is revoked. */
  turnCredentials?: { close(): void } | null;
  relay?: { stop(): Promise<void> } | null;
  /** The SMTP connection pool; a mail still being sent at shutdown is lost (a new link can be asked for). */
  mailer?: { close(): void };
  db?: Database;
};

export function installShutdown(log: Logger, parts: RunningParts): void {
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('main', 'shutting down', { signal });
    const deadline = setTimeout(() => {
      log.error('main', `shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
      process.exit(EXIT_FAILURE);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    try {
      // 1. Stop accepting; idle keep-alive connections go now, busy ones when their response ends.
      const { server } = parts;
      if (server?.listening === true) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await parts.closeWebSockets?.();
        await closed;
      }
      parts.redirectServer?.close();
      parts.redirectServer?.closeAllConnections();
      parts.mailer?.close();
      // 2. The relay: its credentials, its sockets and every allocation.
      parts.turnCredentials?.close();
      await parts.relay?.stop();
      // 3. The database last, checkpointed so the data directory holds one consistent file.
      if (parts.db !== undefined) closeDatabase(parts.db);
      log.info('main', 'stopped');
      process.exit(0);
    } catch (error) {
      log.error('main', 'shutdown failed', { error: String(error) });
      process.exit(EXIT_FAILURE);
    }
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}

/** After an unexpected exception the process state is unknown: log it and let systemd restart us. */
export function installCrashHandlers(log: Logger): void {
  const crash = (kind: string) => (error: unknown) => {
    log.error('main', `${kind}; exiting`, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(EXIT_FAILURE);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
}
