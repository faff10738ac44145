// The connection self-test page (/test) in real Firefox against a real server with the real
// relay: every step passes on loopback and the report holds no address.
import type { Browser } from 'puppeteer-core';
import * as assert from 'uvu/assert';
import { waitForText } from '../helpers/call-pages.js';
import { firefoxSuite, launchFirefox } from '../helpers/firefox.js';
import { assertNoAddress, reportOf, SELF_TEST_STEPS, stepStates, TEST_WAIT_MS } from '../helpers/self-test-page.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { withTimeout } from '../helpers/wait.js';
import { en } from '../../server/i18n/en.js';

/** A range of its own, apart from the other relay suites'. */
const RELAY_PORTS = { min: 52980, max: 52999 };
/** Firefox takes 4–10 s to start on two busy cores. */
const LAUNCH_WAIT_MS = 60_000;

const { suite: firefoxSelfTest, test } = firefoxSuite('connection self-test page in Firefox');

let server: TestServer;
let firefox: Browser;

firefoxSelfTest.before(async () => {
  server = await startTestServer({ signaling: true, turnRelayPorts: RELAY_PORTS });
  firefox = await withTimeout(launchFirefox(), 'Firefox to start', LAUNCH_WAIT_MS);
});

firefoxSelfTest.after(async () => {
  await firefox?.close();
  await server?.close();
});

test('in Firefox every step passes and the report holds no address', async () => {
  const context = await firefox.createBrowserContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(TEST_WAIT_MS);
    page.setDefaultNavigationTimeout(TEST_WAIT_MS);
    await page.goto(`${server.url}/test`);
    const relayedBefore = server.turn?.statistics().relayed.toClient.bytes ?? 0;
    await page.click('#selftest-start');
    await waitForText(page, '#selftest-summary', en['client.selftest.summary.ok'], TEST_WAIT_MS);
    assert.equal(await stepStates(page), Object.fromEntries(SELF_TEST_STEPS.map((step) => [step, 'pass'])));
    const relayed = (server.turn?.statistics().relayed.toClient.bytes ?? 0) - relayedBefore;
    assert.ok(relayed > 20_000, `the loop's media went through the relay (${relayed} bytes)`);
    const report = await reportOf(page);
    assert.match(report, /browser: Firefox \d+/);
    assert.match(report, /media through the relay: pass/);
    assertNoAddress(report);
  } finally {
    await context.close();
  }
});

firefoxSelfTest.run();
