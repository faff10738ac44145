// Runs the real application in the test process: a real HTTP server on port 0, a real SQLite
// file in a fresh temporary data directory, the real middleware and routes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccountsModule, type AccountsModule } from '../../server/accounts/accounts-module.js';
import { buildApp, type AppDeps } from '../../server/app.js';
import { createCallsModule, type CallsModule } from '../../server/calls/calls-module.js';
import { createStaffModule, type StaffModule } from '../../server/staff/staff-module.js';
import type { DisabledWatch } from '../../server/staff/disabled-watch.js';
import { createSupportModule, type SupportModule } from '../../server/support/support-module.js';
import { createSelfTestModule, type SelfTestModule } from '../../server/selftest/selftest-module.js';
import type { SupportLimits } from '../../server/support/support-service.js';
import { loadConfig, type Config, type Env } from '../../server/config.js';
import { closeDatabase, DATABASE_FILE_NAME, openDatabase, type Database } from '../../server/db/open.js';
import { createLogger } from '../../server/log.js';
import { createMetrics } from '../../server/metrics/metrics.js';
import type { Clock } from '../../server/accounts/clock.js';
import type { HashLanes } from '../../server/accounts/passwords.js';
import type { HubTiming } from '../../server/signal/hub-api.js';
import type { RingLimits } from '../../server/signal/ring-guard.js';
import type { TicketLimitSettings } from '../../server/calls/ticket-limits.js';
import type { Signaler } from '../../server/signal/server.js';
import { createEmbeddedCredentials, embeddedTurnUrls, type CredentialLimits, type EmbeddedCredentials } from '../../server/turn/credentials.js';
import type { Relay, RelayOptions } from '../../server/turn/relay.js';
import { startTestRelay } from './relay.js';
import { withTimeout } from './wait.js';

export type TestServer = {
  url: string;
  origin: string;
  config: Config;
  db: Database;
  dataDir: string;
  /** The accounts part as the app uses it: its events, sessions and services. */
  accounts: AccountsModule;
  /** The calls part: call service, guest tickets, hub. */
  calls: CallsModule;
  /** The staff part: roles, invitations, the watch on disabled accounts. */
  staff: StaffModule;
  /** The support part: the contact form, the inbox and the purge of prospects' conversations. */
  support: SupportModule;
  /** The connection self-test's credentials (swept by hand: call `selfTest.service.sweep()`). */
  selfTest: SelfTestModule;
  /** The watch on accounts disabled by another process, when `signaling` was asked for. */
  disabledWatch: DisabledWatch | null;
  /** The WebSocket URL of the signaler, when `signaling` was asked for. */
  wsUrl: string;
  /** The embedded TURN relay, when `turnRelayPorts` was given. */
  turn: Relay | null;
  /** Its credential service. */
  turnCredentials: EmbeddedCredentials | null;
  /** Every log line the server wrote, for privacy assertions. */
  logs: string[];
  /** fetch against the server; state-changing requests carry our Origin unless one is given. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
};

export type TestServerOptions = {
  env?: Env;
  relay?: AppDeps['relay'];
  /** Attach the real WebSocket signaler at /ws. */
  signaling?: boolean;
  timing?: Partial<HubTiming>;
  /** Invite limits of the hub (the defaults unless given). */
  ringLimits?: Partial<RingLimits>;
  ticketLimits?: Partial<TicketLimitSettings>;
  /** Start the real embedded TURN relay on 127.0.0.1 (port 0) relaying from this port range. */
  turnRelayPorts?: { min: number; max: number };
  /** The accounts part's clock (throttles, session expiry): a test moves it instead of sleeping. */
  clock?: Clock;
  /** With the relay: TURN over TLS too (port 0), with this certificate (PEM files). */
  turnTls?: Readonly<{ cert: string; key: string }>;
  /** The relay's allocation quotas (unlimited unless given) and TCP deadline. */
  turnQuotas?: Partial<Pick<RelayOptions, 'userQuota' | 'totalQuota' | 'addressQuota' | 'callReserve' | 'tcpAuthTimeoutS'>>;
  /** Lower bounds of the credential table, to reach them. */
  turnCredentialLimits?: Partial<CredentialLimits>;
  /** The clock do-not-disturb schedules are read with (a test sets the day and time). */
  reachNowMs?: () => number;
  /** The contact form's limits (the defaults unless given): suites sending many messages from loopback raise them. */
  supportLimits?: Partial<SupportLimits>;
  /** The self-test credentials' clock: a test moves it past their lifetime instead of waiting. */
  selfTestNow?: () => number;
  /** The password hasher's lanes (one hash per core but one unless given): a test holds or watches them. */
  hashLanes?: HashLanes;
};

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'porthello-test-'));
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server: Server = createServer();
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 'the test server to listen');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dataDir = makeDataDir();
  const config = loadConfig({
    PORTHELLO_DATA_DIR: dataDir,
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: origin,
    PORTHELLO_TURN_PORT: '0',
    PORTHELLO_LOG_LEVEL: 'debug',
    // Every suite signs its members up from loopback; the sign-up throttle's own tests lower these.
    PORTHELLO_SIGNUPS_PER_ADDRESS_PER_HOUR: '100000',
    PORTHELLO_SIGNUPS_PER_HOUR: '100000',
    // Suites sign their members up freely; the suites about who may join ask for `invite` or `domains`.
    PORTHELLO_SIGNUP: 'open',
    ...options.env,
  });
  const db = openDatabase(join(dataDir, DATABASE_FILE_NAME));
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const accounts = createAccountsModule({
    config,
    db,
    log,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.hashLanes === undefined ? {} : { hashLanes: options.hashLanes }),
  });
  const ports = options.turnRelayPorts;
  const turn =
    ports === undefined
      ? null
      : await startTestRelay(
          // Every peer on one machine is loopback: the test relay allows it, as coturn's tests do.
          {
            host: '127.0.0.1',
            port: 0,
            relayPortMin: ports.min,
            relayPortMax: ports.max,
            externalIp: null,
            userQuota: 0,
            totalQuota: 0,
            allowedPeers: ['127.0.0.1/32'],
            ...(options.turnTls === undefined ? {} : { tls: { port: 0, cert: readFileSync(options.turnTls.cert), key: readFileSync(options.turnTls.key) } }),
            ...options.turnQuotas,
          },
          log,
        );
  const turnCredentials =
    turn === null
      ? null
      : createEmbeddedCredentials({
          relay: turn,
          urls: embeddedTurnUrls({ host: '127.0.0.1', externalIp: null, publicOrigin: origin, port: turn.port, tcp: true, tlsPort: turn.tlsPort }),
          autoSweep: false,
          ...(options.turnCredentialLimits === undefined ? {} : { limits: options.turnCredentialLimits }),
        });
  const metrics = createMetrics();
  const calls = createCallsModule({
    config,
    db,
    log,
    accounts,
    turnCredentials,
    metrics,
    ...(options.timing === undefined ? {} : { timing: options.timing }),
    ...(options.ringLimits === undefined ? {} : { ringLimits: options.ringLimits }),
    ...(options.reachNowMs === undefined ? {} : { reachNowMs: options.reachNowMs }),
    ...(options.ticketLimits === undefined ? {} : { ticketLimits: options.ticketLimits }),
  });
  const staff = createStaffModule({ config, db, log, accounts, ...(options.clock === undefined ? {} : { now: options.clock.now }) });
  const support = createSupportModule({
    config,
    db,
    log,
    accounts,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.supportLimits === undefined ? {} : { limits: options.supportLimits }),
  });
  const selfTest = createSelfTestModule({
    credentials: turnCredentials,
    autoSweep: false,
    ...(options.selfTestNow === undefined ? {} : { now: options.selfTestNow }),
  });
  const app = buildApp({ config, db, log, relay: options.relay ?? turn, relayMeter: turn, accounts, calls, staff, support, selfTest, metrics });
  server.on('request', app.callback());
  const signaler: Signaler | null = options.signaling === true ? calls.attach(server) : null;
  const disabledWatch = options.signaling === true ? staff.watchDisabled() : null;

  return {
    url: origin,
    origin,
    config,
    db,
    dataDir,
    accounts,
    logs,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      const method = (init.method ?? 'GET').toUpperCase();
      if (method !== 'GET' && method !== 'HEAD' && !headers.has('Origin')) headers.set('Origin', origin);
      return fetch(origin + path, { ...init, headers, redirect: 'manual' });
    },
    calls,
    staff,
    support,
    selfTest,
    disabledWatch,
    wsUrl: `${origin.replace('http', 'ws')}/ws`,
    turn,
    turnCredentials,
    async close() {
      disabledWatch?.stop();
      await signaler?.close();
      await accounts.passwordReset.idle();
      await support.idle();
      accounts.mailer.close();
      selfTest.service.close();
      turnCredentials?.close();
      await turn?.stop();
      server.closeAllConnections();
      await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 'the test server to close');
      closeDatabase(db);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The JSON body of a response, loosely typed: tests assert on its shape. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions that follow check the shape; a type here would only repeat them
export async function jsonOf(response: Response): Promise<any> {
  return response.json();
}
