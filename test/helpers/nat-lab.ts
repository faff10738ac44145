// The NAT suites' laboratory: the test network (./netns.ts), the real server process in its
// public namespace (HTTPS and signaling on 8443, TURN on 3478 over UDP and TCP, TURN over TLS on
// 443, a throw-away certificate), and one Chromium per client namespace, started on demand.
// Torn down on close, on process exit and on SIGINT/SIGTERM; a SIGKILLed run's namespaces are
// removed by the next run.
import { makeCertificate } from './certificate.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Browser as FirefoxBrowser } from 'puppeteer-core';
import { CHROMIUM_PATH, hasChromium, launchBrowser } from './browser.js';
import { FIREFOX_PATH, launchFirefox } from './firefox.js';
import { MAIN_SCRIPT, spawnServer, type ServerProcess } from './process.js';
import { withTimeout } from './wait.js';
import {
  buildNetwork,
  networkUnavailableReason,
  PUBLIC_RANGE,
  removeLeftovers,
  SERVER_ADDRESS,
  WEB_PORT,
  type Client,
  type HomeSpec,
  type TestNetwork,
} from './netns.js';

export const LAB_ORIGIN = `https://${SERVER_ADDRESS}:${WEB_PORT}`;
/** TURN over TLS on 443, the port a TCP-443-only network lets out. */
export const TURN_TLS_PORT = 443;
export const TURN_PORT = 3478;
/** Bounds for a start on two busy cores. */
const SERVER_START_MS = 60_000;
const BROWSER_START_MS = 30_000;
/** Firefox takes 4–10 s on two busy cores (see ./firefox.ts). */
const FIREFOX_START_MS = 60_000;

export type NatLab = Readonly<{
  network: TestNetwork;
  server: ServerProcess;
  browserOf(client: Client): Promise<Browser>;
  /** Firefox (puppeteer over WebDriver BiDi) inside the client's namespace, started on demand. */
  firefoxOf(client: Client): Promise<FirefoxBrowser>;
  close(): Promise<void>;
}>;

/** Why the NAT suites cannot run here, or null. */
export function natLabUnavailableReason(): string | null {
  if (!hasChromium) return `${CHROMIUM_PATH} is missing (apt-get install -y chromium)`;
  return networkUnavailableReason();
}

export async function startNatLab(homes: readonly HomeSpec[]): Promise<NatLab> {
  removeLeftovers();
  const network = buildNetwork(homes);
  const scratch = mkdtempSync(join(tmpdir(), 'porthello-nat-'));
  let server: ServerProcess | null = null;
  const browsers = new Map<string, Browser>();
  const firefoxes = new Map<string, Promise<FirefoxBrowser>>();
  const tearDown = (): void => {
    server?.kill();
    network.destroy();
    rmSync(scratch, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    tearDown();
    process.exit(1);
  };
  process.on('exit', tearDown);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { cert, key } = makeCertificate(scratch, SERVER_ADDRESS, `IP:${SERVER_ADDRESS}`);
    server = spawnServer(
      {
        PORTHELLO_HOST: SERVER_ADDRESS,
        PORTHELLO_PORT: String(WEB_PORT),
        PORTHELLO_PUBLIC_URL: LAB_ORIGIN,
        PORTHELLO_DATA_DIR: join(scratch, 'data'),
        PORTHELLO_TLS_CERT: cert,
        PORTHELLO_TLS_KEY: key,
        PORTHELLO_BCRYPT_COST: '4',
        PORTHELLO_TURN_HOST: SERVER_ADDRESS,
        PORTHELLO_TURN_PORT: String(TURN_PORT),
        PORTHELLO_TURN_TLS_PORT: String(TURN_TLS_PORT),
        // The test network only: the relay's deny-list still covers everything else.
        PORTHELLO_TURN_ALLOWED_PEERS: PUBLIC_RANGE,
      },
      [],
      [],
      MAIN_SCRIPT,
      network.execPrefix(network.publicNs),
    );
    await server.waitForOutput(/TURN over TLS on/, SERVER_START_MS);
  } catch (error) {
    tearDown();
    throw error;
  }
  const running = server;
  return {
    network,
    server: running,
    async browserOf(client) {
      const started = browsers.get(client.ns);
      if (started !== undefined) return started;
      // The test certificate is self-signed; Chromium's TURN/TLS client checks it otherwise.
      const browser = await withTimeout(
        launchBrowser(['--ignore-certificate-errors'], network.wrapperFor(client, CHROMIUM_PATH)),
        `Chromium in ${client.ns}`,
        BROWSER_START_MS,
      );
      browsers.set(client.ns, browser);
      return browser;
    },
    firefoxOf(client) {
      const started =
        firefoxes.get(client.ns) ??
        withTimeout(
          launchFirefox({}, { executablePath: network.bridgedWrapperFor(client, FIREFOX_PATH), acceptInsecureCerts: true }),
          `Firefox in ${client.ns}`,
          FIREFOX_START_MS,
        );
      firefoxes.set(client.ns, started);
      return started;
    },
    async close() {
      await Promise.all([...browsers.values()].map((browser) => browser.close().catch(() => undefined)));
      await Promise.all([...firefoxes.values()].map((firefox) => firefox.then((browser) => browser.close()).catch(() => undefined)));
      tearDown();
      process.off('exit', tearDown);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
