// The connection self-test page (/test) in real Chromium against a real server whose relay also
// offers TURN over TLS, with a certificate issued by a certificate authority the test makes.
// Chromium checks a TURN server's certificate like a web site's: a browser that trusts the
// authority (in its user certificate store, as an organisation installs its own CA, or as every
// browser trusts a public one) allocates over TLS and the page's TLS line passes; a browser that
// does not trust it is refused at the handshake, and the page says TLS is blocked.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, CHROMIUM_PATH, hasChromium, launchBrowser } from '../helpers/browser.js';
import { waitForText } from '../helpers/call-pages.js';
import { hasOpenssl, makeCertificateAuthority, makeIssuedCertificate, type CertificateFiles } from '../helpers/certificate.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { en } from '../../server/i18n/en.js';
import { assertNoAddress, reportOf, SELF_TEST_STEPS, stepStates, TEST_WAIT_MS } from '../helpers/self-test-page.js';
import { withTimeout } from '../helpers/wait.js';

/** Half of the self-test suites' range; self-test.browser.test.ts has the other half. */
const RELAY_PORTS = { min: 52940, max: 52959 };
const LAUNCH_WAIT_MS = 15_000;

const { suite: selfTestTls, test: chromiumTest } = browserSuite('connection self-test over TURN/TLS in Chromium');
const hasCertutil = spawnSync('certutil', ['-H']).error === undefined;
if (!hasOpenssl || !hasCertutil) console.log('openssl or certutil is missing, skipped: apt-get install -y openssl libnss3-tools');
const canRun = hasChromium && hasOpenssl && hasCertutil;
const test = canRun ? chromiumTest : selfTestTls.skip;

let scratch = '';
let authority: CertificateFiles;
let server: TestServer;
let browser: Browser | null = null;

/** The environment as strings, for Chromium's own. */
const stringEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));

/** A HOME for Chromium whose NSS certificate store (~/.pki/nssdb) trusts `trusted` for web sites, or nothing. */
function homeTrusting(name: string, trusted: CertificateFiles | null): string {
  const home = join(scratch, name);
  const store = join(home, '.pki', 'nssdb');
  mkdirSync(store, { recursive: true });
  const certutil = (args: readonly string[]): void => {
    const done = spawnSync('certutil', ['-d', `sql:${store}`, ...args], { encoding: 'utf8' });
    if (done.status !== 0) throw new Error(`certutil ${args[0]} failed: ${done.stderr}`);
  };
  certutil(['-N', '--empty-password']);
  if (trusted !== null) certutil(['-A', '-t', 'C,,', '-n', 'Porthello test CA', '-i', trusted.cert]);
  return home;
}

selfTestTls.before(async () => {
  if (!canRun) return;
  scratch = mkdtempSync(join(tmpdir(), 'porthello-selftest-tls-'));
  authority = makeCertificateAuthority(scratch, 'porthello-test-ca');
  server = await startTestServer({ signaling: true, turnRelayPorts: RELAY_PORTS, turnTls: makeIssuedCertificate(scratch, 'relay', authority) });
});

selfTestTls.after.each(async () => {
  await browser?.close();
});

selfTestTls.after(async () => {
  await server?.close();
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

/** Chromium with a HOME of its own, whose store trusts the test's authority or nothing. */
async function selfTestIn(home: string): Promise<Page> {
  browser = await withTimeout(launchBrowser([], CHROMIUM_PATH, { ...stringEnv(), HOME: home }), 'Chromium to start', LAUNCH_WAIT_MS);
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.setDefaultTimeout(TEST_WAIT_MS);
  await page.goto(`${server.url}/test?lang=en`);
  await page.click('#selftest-start');
  return page;
}

const tls = (key: 'transportOk' | 'transportBlocked'): string => en[`client.selftest.relay.${key}`].replace('{transport}', en['client.selftest.transport.tls']);

test('a browser that trusts the authority of the relay’s certificate allocates over TLS: every line passes', async () => {
  const page = await selfTestIn(homeTrusting('trusting', authority));
  await waitForText(page, '#selftest-summary', en['client.selftest.summary.ok'], TEST_WAIT_MS);
  assert.equal(await stepStates(page), Object.fromEntries(SELF_TEST_STEPS.map((step) => [step, 'pass'])));
  await waitForText(page, '#step-relay-result', tls('transportOk'));
  const report = await reportOf(page);
  for (const line of ['relay udp: pass', 'relay tcp: pass', 'relay tls: pass', 'result: everything works'])
    assert.ok(report.includes(line), `${line} in:\n${report}`);
  assertNoAddress(report);
});

test('a browser that does not trust it is refused at the handshake: the TLS line says blocked, the rest works', async () => {
  const page = await selfTestIn(homeTrusting('untrusting', null));
  await waitForText(page, '#selftest-summary', en['client.selftest.summary.partly'], TEST_WAIT_MS);
  assert.equal(await stepStates(page), { media: 'pass', signal: 'pass', candidates: 'pass', relay: 'warn', loop: 'pass' });
  await waitForText(page, '#step-relay-result', tls('transportBlocked'));
  const report = await reportOf(page);
  for (const line of ['relay udp: pass', 'relay tcp: pass', 'relay tls: fail', 'result: works, partly: relay'])
    assert.ok(report.includes(line), `${line} in:\n${report}`);
});

selfTestTls.run();
