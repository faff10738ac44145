// The composition root and the only module with side effects: it reads the environment, opens
// the database and the ports, installs the signal handlers and shuts down in a written order.
//
//   node dist/server/main.js [--env-file=/etc/porthello/porthello.env]
//
// Exit status: 0 after a clean shutdown, 2 for invalid configuration, 1 for anything else.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp } from './app.js';
import { createRedirectServer } from './http/redirect.js';
import { ConfigError, loadConfig, parseEnvFile, type Config, type Env } from './config.js';
import { closeDatabase, DATABASE_FILE_NAME, openDatabase } from './db/open.js';
import { EXIT_FAILURE, installCrashHandlers, installShutdown, type RunningParts } from './lifecycle.js';
import { createLogger } from './log.js';
import { createAccountsModule } from './accounts/accounts-module.js';
import { createMetrics } from './metrics/metrics.js';
import { createCallsModule } from './calls/calls-module.js';
import { createStaffModule } from './staff/staff-module.js';
import { createSelfTestModule } from './selftest/selftest-module.js';
import { createSupportModule } from './support/support-module.js';
import { createTurnCredentials } from './turn/credentials.js';
import type { Relay } from './turn/relay.js';
import { startRelayInWorker, type WorkerRelay } from './turn/relay-in-worker.js';
import { createCertificateReloader, readCertificate, secureContextOptions, type CertificatePair } from './tls.js';

/** Node's defaults, named so the bound is visible: slow clients are cut off. */
const HEADERS_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 300_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** The redirect listener reads no bodies: a request that takes longer is not a browser's. */
const REDIRECT_REQUEST_TIMEOUT_MS = 10_000;

const EXIT_CONFIG = 2;

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

/** Every listener that presents the certificate: HTTPS, and TURN over TLS when it is on. */
function certificateUsers(https: HttpsServer, relay: Relay | null): Array<(pair: CertificatePair) => void> {
  const users = [(pair: CertificatePair) => https.setSecureContext(secureContextOptions(pair))];
  if (relay !== null && relay.tlsPort !== null) users.push((pair) => relay.replaceCertificate(secureContextOptions(pair)));
  return users;
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
  // Signals are handled from here on; shutdown closes whatever `parts` holds by then.
  const parts: RunningParts = {};
  installShutdown(log, parts);

  // Checked before anything listens: a key that does not match its certificate stops start-up.
  const certificate = config.tls === null ? null : readCertificate(config.tls);

  const databasePath = join(config.dataDir, DATABASE_FILE_NAME);
  const db = openDatabase(databasePath);
  parts.db = db;

  let relay: WorkerRelay | null = null;
  // External TURN (PORTHELLO_TURN_URLS + PORTHELLO_TURN_SECRET) turns the embedded relay off.
  if (config.turn.port !== 0 && config.turn.external === null) {
    // TURN over TLS reuses the service's certificate, for clients behind UDP-blocking firewalls.
    const turnTls = certificate === null || config.turn.tlsPort === 0 ? null : { port: config.turn.tlsPort, ...certificate };
    // In its own thread: relaying packets never holds up HTTP and signaling on this one.
    relay = await startRelayInWorker({ ...config.turn, tls: turnTls }, log).catch((error: NodeJS.ErrnoException) => {
      closeDatabase(db);
      throw new Error(`the TURN relay cannot listen on ${config.turn.host}:${config.turn.port} (${error.code ?? error.message})`);
    });
    parts.relay = relay;
  }

  // Minted per call and participant, revoked at hang-up; GET /api/ice-servers mints too.
  const turnCredentials = createTurnCredentials(config.turn, config.publicOrigin, relay);
  parts.turnCredentials = turnCredentials;
  const startedRelay = relay;
  // /healthz reports the relay down when it stopped listening or failed its self-test.
  const relayHealth = startedRelay === null ? null : { isListening: () => startedRelay.isListening() && startedRelay.lastSelfTest()?.ok !== false };
  const accounts = createAccountsModule({ config, db, log });
  parts.mailer = accounts.mailer;
  const metrics = createMetrics();
  const calls = createCallsModule({ config, db, log, accounts, turnCredentials, metrics });
  const staff = createStaffModule({ config, db, log, accounts });
  const support = createSupportModule({ config, db, log, accounts });
  // The connection self-test's credentials end with turnCredentials (closed at shutdown).
  const selfTest = createSelfTestModule({ credentials: turnCredentials });
  const app = buildApp({ config, db, log, relay: relayHealth, relayMeter: relay, accounts, calls, staff, support, selfTest, metrics });
  const server = certificate === null ? createHttpServer(app.callback()) : createHttpsServer(secureContextOptions(certificate), app.callback());
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  parts.server = server;

  const signaler = calls.attach(server);
  parts.closeWebSockets = () => signaler.close();
  // `npm run admin -- disable` runs in another process: its disables reach the sockets through this.
  staff.watchDisabled();
  // Prospects' support conversations are erased PORTHELLO_SUPPORT_RETENTION_DAYS after their last message.
  support.startPurge();

  const address = await listen(server, config).catch(async (error: NodeJS.ErrnoException) => {
    await relay?.stop();
    closeDatabase(db);
    throw new Error(`cannot listen on ${config.host}:${config.port} (${error.code ?? error.message})`);
  });

  // SIGHUP (systemctl reload) re-reads the certificate; without TLS there is nothing to reload.
  const reloader = config.tls === null ? null : createCertificateReloader(config.tls, certificateUsers(server as HttpsServer, relay), log);
  process.on('SIGHUP', () => {
    if (reloader === null) log.info('main', 'SIGHUP: nothing to reload (no certificate configured)');
    else reloader.reload('SIGHUP');
  });

  if (config.httpRedirect !== null) {
    const redirect = createRedirectServer({ publicOrigin: config.publicOrigin, acmeChallengeDir: config.httpRedirect.acmeChallengeDir }, log);
    redirect.headersTimeout = HEADERS_TIMEOUT_MS;
    redirect.requestTimeout = REDIRECT_REQUEST_TIMEOUT_MS;
    parts.redirectServer = redirect;
    const redirectAddress = await listen(redirect, { ...config, port: config.httpRedirect.port }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot listen on ${config.host}:${config.httpRedirect?.port ?? 0} for the HTTPS redirect (${error.code ?? error.message})`);
    });
    log.info('main', `redirecting http://${redirectAddress.address}:${redirectAddress.port} to ${config.publicOrigin}`, { port: redirectAddress.port });
  }

  const scheme = config.tls === null ? 'http' : 'https';
  log.info('main', `listening on ${scheme}://${address.address}:${address.port}`, { port: address.port });
  if (relay !== null) {
    log.info('main', `TURN relay on udp+tcp ${config.turn.host}:${relay.port}`, { port: relay.port });
    if (config.turn.allowedPeers.length > 0)
      log.warn('main', 'PORTHELLO_TURN_ALLOWED_PEERS is set: the relay can reach those reserved addresses (meant for tests only)');
    if (relay.tlsPort !== null) log.info('main', `TURN over TLS on ${config.turn.host}:${relay.tlsPort}`, { port: relay.tlsPort });
    // Allocate and relay one packet through ourselves; a failure is logged as a warning.
    void relay.selfTest();
  } else if (config.turn.external !== null) log.info('main', 'embedded TURN relay off: using the external TURN servers (PORTHELLO_TURN_URLS)');
  else log.info('main', 'embedded TURN relay off (PORTHELLO_TURN_PORT=0)');
  log.info('main', `public URL ${config.publicOrigin}`);
  // The mail server's host only: its URL holds the password.
  if (config.mail.smtp === null) log.info('main', 'e-mail off (no PORTHELLO_SMTP_URL): reset links come from an admin');
  else log.info('main', `e-mail through ${config.mail.smtp.host}:${config.mail.smtp.port}`, { port: config.mail.smtp.port });
  log.info('main', `data in ${config.dataDir}`, { path: config.dataDir });
  staff.announceSetup();
}

run().catch((error: unknown) => {
  process.stderr.write(`porthello: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT_FAILURE);
});
