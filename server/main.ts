// The composition root and the only module with side effects: it reads the environment, opens
// the database and the ports, installs the signal handlers and shuts down in a written order.
//
//   node dist/server/main.js [--env-file=/etc/porthello/porthello.env]
//
// Exit status: 0 after a clean shutdown, 2 for invalid configuration, 1 for anything else.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, parseEnvFile, type Config, type Env } from './config.js';
import { closeDatabase, DATABASE_FILE_NAME, openDatabase, type Database } from './db/open.js';
import { createLogger, type Logger } from './log.js';
import { createTurnCredentials, type TurnCredentials } from './turn/credentials.js';
import { startRelay, type Relay } from './turn/relay.js';

/** systemd waits longer than this before SIGKILL; finishing well within it keeps data safe. */
export const SHUTDOWN_DEADLINE_MS = 5000;
/** Node's defaults, named so the bound is visible: slow clients are cut off. */
const HEADERS_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 300_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

const EXIT_CONFIG = 2;
const EXIT_FAILURE = 1;

function readEnvironment(argv: readonly string[], env: NodeJS.ProcessEnv): Env {
  const flag = argv.find((arg) => arg.startsWith('--env-file='));
  if (flag === undefined) return env;
  const path = flag.slice('--env-file='.length);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`--env-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  // Variables set in the real environment win over the file, as with systemd's Environment=.
  return { ...parseEnvFile(text), ...env };
}

async function listen(server: Server, config: Config): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

async function run(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(readEnvironment(process.argv.slice(2), process.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`porthello: ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const log = createLogger({ level: config.logLevel });
  installCrashHandlers(log);

  const databasePath = join(config.dataDir, DATABASE_FILE_NAME);
  const db = openDatabase(databasePath);

  let relay: Relay | null = null;
  // External TURN (PORTHELLO_TURN_URLS + PORTHELLO_TURN_SECRET) turns the embedded relay off.
  if (config.turn.port !== 0 && config.turn.external === null) {
    // TURN over TLS reuses the service's certificate, for clients behind UDP-blocking firewalls.
    const turnTls = config.tls === null || config.turn.tlsPort === 0 ? null : { port: config.turn.tlsPort, cert: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) };
    relay = await startRelay({ ...config.turn, tls: turnTls }, log).catch((error: NodeJS.ErrnoException) => {
      closeDatabase(db);
      throw new Error(`the TURN relay cannot listen on ${config.turn.host}:${config.turn.port} (${error.code ?? error.message})`);
    });
  }

  // Minted per call and participant; GET /api/ice-servers calls turnCredentials.issue().
  const turnCredentials = createTurnCredentials(config.turn, config.publicOrigin, relay);
  const startedRelay = relay;
  // /healthz reports the relay down when it stopped listening or failed its self-test.
  const relayHealth = startedRelay === null ? null : { isListening: () => startedRelay.isListening() && startedRelay.lastSelfTest()?.ok !== false };
  const app = buildApp({ config, db, log, relay: relayHealth });
  const server =
    config.tls === null
      ? createHttpServer(app.callback())
      : createHttpsServer({ cert: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) }, app.callback());
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;

  const address = await listen(server, config).catch(async (error: NodeJS.ErrnoException) => {
    await relay?.stop();
    closeDatabase(db);
    throw new Error(`cannot listen on ${config.host}:${config.port} (${error.code ?? error.message})`);
  });

  const scheme = config.tls === null ? 'http' : 'https';
  log.info('main', `listening on ${scheme}://${address.address}:${address.port}`, { port: address.port });
  if (relay !== null) {
    log.info('main', `TURN relay on udp+tcp ${config.turn.host}:${relay.port}`, { port: relay.port });
    if (config.turn.allowedPeers.length > 0) log.warn('main', 'PORTHELLO_TURN_ALLOWED_PEERS is set: the relay can reach those reserved addresses (meant for tests only)');
    if (relay.tlsPort !== null) log.info('main', `TURN over TLS on ${config.turn.host}:${relay.tlsPort}`, { port: relay.tlsPort });
    // Allocate and relay one packet through ourselves; a failure is logged as a warning.
    void relay.selfTest();
  } else if (config.turn.external !== null) log.info('main', 'embedded TURN relay off: using the external TURN servers (PORTHELLO_TURN_URLS)');
  else log.info('main', 'embedded TURN relay off (PORTHELLO_TURN_PORT=0)');
  log.info('main', `public URL ${config.publicOrigin}`);
  log.info('main', `data in ${config.dataDir}`, { path: config.dataDir });

  installShutdown({ log, server, relay, turnCredentials, db });
}

function installShutdown(parts: { log: Logger; server: Server; relay: Relay | null; turnCredentials: TurnCredentials | null; db: Database }): void {
  const { log, server, relay, turnCredentials, db } = parts;
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
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      // 2. The relay: its credentials, its sockets and every allocation.
      turnCredentials?.close();
      await relay?.stop();
      // 3. The database last, checkpointed so the data directory holds one consistent file.
      closeDatabase(db);
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
function installCrashHandlers(log: Logger): void {
  const crash = (kind: string) => (error: unknown) => {
    log.error('main', `${kind}; exiting`, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(EXIT_FAILURE);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
}

run().catch((error: unknown) => {
  process.stderr.write(`porthello: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT_FAILURE);
});
