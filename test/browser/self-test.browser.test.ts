// The connection self-test page (/test) in real Chromium against a real server with the real
// relay: on loopback every step passes, media really crosses the relay, and the report holds no
// address; when the relay cannot be reached, the page says in plain words that the relay step
// fails and skips the loop, while the steps before it still pass.
import type { Browser, Page, Route } from 'playwright-core';
import * as assert from 'uvu/assert';
import { seriousViolations } from '../helpers/axe.js';
import { browserSuite, launchBrowser } from '../helpers/browser.js';
import { attributeOf, waitForText } from '../helpers/call-pages.js';
import { freePort } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { en } from '../../server/i18n/en.js';
import { fr } from '../../server/i18n/fr.js';
import { assertNoAddress, reportOf, SELF_TEST_STEPS, stepStates, TEST_WAIT_MS } from '../helpers/self-test-page.js';

/** A range of its own, apart from the other relay suites' (the TLS self-test suite has 52940-52959). */
const RELAY_PORTS = { min: 52920, max: 52939 };

const { suite: selfTest, test } = browserSuite('connection self-test page in Chromium');

let server: TestServer;
let browser: Browser;

selfTest.before(async () => {
  server = await startTestServer({ signaling: true, turnRelayPorts: RELAY_PORTS });
  browser = await launchBrowser();
});

selfTest.after(async () => {
  await browser?.close();
  await server?.close();
});

/** axe's serious and critical problems of the page as it stands, light theme whole and dark theme's colours. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await seriousViolations(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await seriousViolations(page, { colourOnly: true });
  return [...light, ...dark].map((problem) => `${problem.rule}: ${problem.help} (${problem.targets.join(', ')})`);
}

async function openTest(locale: 'en' | 'fr'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.setDefaultTimeout(TEST_WAIT_MS);
  await page.goto(`${server.url}/test?lang=${locale}`);
  return page;
}

test('on loopback every step passes, media crosses the relay, and the report holds no address', async () => {
  const page = await openTest('en');
  try {
    const relayedBefore = server.turn?.statistics().relayed.toClient.bytes ?? 0;
    await page.click('#selftest-start');
    await waitForText(page, '#selftest-summary', en['client.selftest.summary.ok'], TEST_WAIT_MS);
    assert.equal(await stepStates(page), Object.fromEntries(SELF_TEST_STEPS.map((step) => [step, 'pass'])));
    await waitForText(page, '#step-relay-result', en['client.selftest.relay.transportOk'].replace('{transport}', en['client.selftest.transport.udp']));
    await waitForText(page, '#step-relay-result', en['client.selftest.relay.transportOk'].replace('{transport}', en['client.selftest.transport.tcp']));
    await waitForText(page, '#step-relay-result', en['client.selftest.relay.transportNotOffered'].replace('{transport}', en['client.selftest.transport.tls']));
    const relayed = (server.turn?.statistics().relayed.toClient.bytes ?? 0) - relayedBefore;
    assert.ok(relayed > 20_000, `the loop's media went through the relay (${relayed} bytes)`);
    const report = await reportOf(page);
    for (const line of [
      'camera and microphone: pass',
      'call service: pass',
      'relay udp: pass',
      'relay tcp: pass',
      'relay tls: not offered',
      'result: everything works',
    ])
      assert.ok(report.includes(line), `${line} in:\n${report}`);
    assert.match(report, /media through the relay: pass \(\d+ ms, over (udp|tcp)\)/);
    assert.match(report, /browser: \S+/);
    assertNoAddress(report);
    assert.is(await attributeOf(page, '#selftest-report-section', 'hidden'), null);
    assert.equal(await accessibilityProblems(page), []);
  } finally {
    await page.close();
  }
});

test('with the relay unreachable, the page says the relay step fails and skips the loop', async () => {
  const page = await openTest('fr');
  // The real server's answer, with the relay's port swapped for one nobody listens on: as if a
  // firewall dropped everything to the relay.
  const closedPort = await freePort();
  await page.route('**/api/self-test/ice-servers', async (route: Route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/:(\d+)\?transport/g, `:${closedPort}?transport`);
    await route.fulfill({ response, body });
  });
  try {
    await page.click('#selftest-start');
    await waitForText(page, '#selftest-summary', fr['client.selftest.summary.problems'], TEST_WAIT_MS);
    assert.equal(await stepStates(page), { media: 'pass', signal: 'pass', candidates: 'pass', relay: 'fail', loop: 'skip' });
    await waitForText(page, '#step-relay-result', fr['client.selftest.relay.blocked']);
    await waitForText(page, '#step-relay-state', fr['client.selftest.state.fail']);
    await waitForText(page, '#step-relay-result', fr['client.selftest.relay.transportBlocked'].replace('{transport}', fr['client.selftest.transport.udp']));
    await waitForText(page, '#step-loop-result', fr['client.selftest.loop.skipped']);
    const report = await reportOf(page);
    for (const line of ['relay udp: fail', 'relay tcp: fail', 'media through the relay: not checked', 'result: failed: relay'])
      assert.ok(report.includes(line), `${line} in:\n${report}`);
    assertNoAddress(report);
    assert.equal(await accessibilityProblems(page), []);
  } finally {
    await page.close();
  }
});

test('with TCP to the relay blocked, the relay works partly, the loop passes over UDP, and the page says so', async () => {
  const page = await openTest('en');
  const closedPort = await freePort();
  await page.route('**/api/self-test/ice-servers', async (route: Route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/:(\d+)\?transport=tcp/g, `:${closedPort}?transport=tcp`);
    await route.fulfill({ response, body });
  });
  try {
    await page.click('#selftest-start');
    await waitForText(page, '#selftest-summary', en['client.selftest.summary.partly'], TEST_WAIT_MS);
    assert.equal(await stepStates(page), { media: 'pass', signal: 'pass', candidates: 'pass', relay: 'warn', loop: 'pass' });
    await waitForText(page, '#step-relay-result', en['client.selftest.relay.partly']);
    await waitForText(page, '#step-relay-result', en['client.selftest.relay.transportBlocked'].replace('{transport}', en['client.selftest.transport.tcp']));
    const report = await reportOf(page);
    for (const line of ['relay udp: pass', 'relay tcp: fail', 'media through the relay: pass', 'result: works, partly: relay'])
      assert.ok(report.includes(line), `${line} in:\n${report}`);
    assertNoAddress(report);
  } finally {
    await page.close();
  }
});

selfTest.run();
