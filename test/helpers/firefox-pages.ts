// The call pages in Firefox as the Firefox suites open them: a page in a browser context of its
// own (its own cookies), recording its peer connections and sockets, with the call timeouts, and
// a member logged in on their calls page.
import type { Browser, Page } from 'puppeteer-core';
import type { TestMember } from '../accounts/helpers.js';
import { CALL_WAIT_MS, logInOnCallsPage, RECORD_PEER_CONNECTIONS, RECORD_WEBSOCKETS } from './call-pages.js';

/**
 * A new page in a browser context and a window of its own; closing the context
 * (page.browserContext()) closes it. Its own window keeps it in front, as each person's call page
 * is on their own screen: opened as a tab, it would be hidden behind the next page opened, and
 * Firefox runs a hidden page's animation frames at doubling intervals (1 s, 2 s, 4 s, ...), and a
 * scripted click (input.performActions) waits for the next one: clicks on the callee's page in
 * the Firefox-to-Firefox call took 16 s, then 32 s, then 64 s.
 */
export async function openFirefoxPage(firefox: Browser): Promise<Page> {
  const context = await firefox.createBrowserContext();
  const page = await context.newPage({ type: 'window' });
  await page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  await page.evaluateOnNewDocument(RECORD_WEBSOCKETS);
  page.setDefaultTimeout(CALL_WAIT_MS);
  page.setDefaultNavigationTimeout(CALL_WAIT_MS);
  return page;
}

/** A page of its own with `member` logged in on their calls page. */
export async function memberOnFirefoxCallsPage(firefox: Browser, serverUrl: string, member: TestMember): Promise<Page> {
  const page = await openFirefoxPage(firefox);
  await logInOnCallsPage(page, serverUrl, member);
  return page;
}
