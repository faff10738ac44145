// The call pages in Firefox as the Firefox suites open them: a page in a browser context of its
// own (its own cookies), recording its peer connections and sockets, with the call timeouts, and
// a member logged in on their calls page.
import type { Browser, Page } from 'puppeteer-core';
import type { TestMember } from '../accounts/helpers.js';
import { CALL_WAIT_MS, logInOnCallsPage, RECORD_PEER_CONNECTIONS, RECORD_WEBSOCKETS } from './call-pages.js';

/** A new page in a browser context of its own; closing the context (page.browserContext()) closes it. */
export async function openFirefoxPage(firefox: Browser): Promise<Page> {
  const context = await firefox.createBrowserContext();
  const page = await context.newPage();
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
