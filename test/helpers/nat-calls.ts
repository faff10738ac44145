// Calls through the real pages between browsers in different homes of the NAT test network:
// a member rings a member from the directory, a guest rings a member from the call link. Each
// call is measured: connected or not, time from "Answer" to connected on both screens, the
// selected candidate pair on each side (from getStats), and media both ways. The call itself is
// driven through `DrivenPage`, so a Firefox page (puppeteer) can take either side.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { inPage, RECORD_PEER_CONNECTIONS, waitMediaGrowing, type DrivenPage } from './call-pages.js';
import { waitUntil } from './wait.js';
import type { PageStats } from './page-types.js';

// Code passed to the page runs there; this names its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const document: any;

export const NAT_CALL_WAIT_MS = 20_000;

/** The selected candidate pair as one side sees it. */
export type PathReport = Readonly<{ local: string; remote: string; protocol: string; relayProtocol: string | null; remoteAddress: string }>;
export type PathKind = 'direct' | 'relayed';

export type CallResult = {
  connected: boolean;
  /** From the answer to both screens showing the call connected. */
  connectMs: number | null;
  caller: PathReport | null;
  callee: PathReport | null;
  /** Audio, video and decoded frames grew on both sides. */
  mediaBothWays: boolean;
  error: string | null;
};

/** One side of a call, in whichever browser; `console` keeps the page's last messages where the driver gives them. */
export type CallSide = { page: DrivenPage; name: string; console?: string[] };
/** A Chromium side. */
export type Party = CallSide & { context: BrowserContext; page: Page; console: string[] };

/** How many of a page's last console messages a failed call reports. */
const CONSOLE_KEPT = 20;

export function selectedPath(page: DrivenPage): Promise<PathReport | null> {
  return inPage(page, async () => {
    const pc = window.__pcs.at(-1);
    if (pc === undefined) return null;
    const stats = await pc.getStats();
    let pairId: string | undefined;
    // Chromium names the pair in its transport entry; Firefox has none, and marks the pair `selected`.
    stats.forEach((report: PageStats & { id: string; selected?: boolean }) => {
      if (report.type === 'transport' && report.selectedCandidatePairId !== undefined) pairId = report.selectedCandidatePairId;
      if (report.type === 'candidate-pair' && report.selected === true) pairId ??= report.id;
    });
    const pair = pairId === undefined ? undefined : stats.get(pairId);
    if (pair === undefined) return null;
    const local = stats.get(pair.localCandidateId) ?? {};
    const remote = stats.get(pair.remoteCandidateId) ?? {};
    return {
      local: local.candidateType ?? '?',
      remote: remote.candidateType ?? '?',
      protocol: local.protocol ?? '?',
      relayProtocol: local.relayProtocol ?? null,
      remoteAddress: remote.address ?? '?',
    };
  });
}

export function kindOf(path: PathReport): PathKind {
  return path.local === 'relay' || path.remote === 'relay' ? 'relayed' : 'direct';
}

export async function openParty(browser: Browser, name: string): Promise<Party> {
  const context = await browser.newContext({ locale: 'en-GB', ignoreHTTPSErrors: true });
  await context.addInitScript(RECORD_PEER_CONNECTIONS);
  const page = await context.newPage();
  page.setDefaultTimeout(NAT_CALL_WAIT_MS);
  const messages: string[] = [];
  const keep = (line: string): void => {
    messages.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (messages.length > CONSOLE_KEPT) messages.shift();
  };
  page.on('console', (message) => keep(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => keep(`page error: ${error.message}`));
  return { context, page, name, console: messages };
}

/** Signs a new member up from a Chromium page (the browser keeps the session); /calls is opened later, by `openCallsPage`. */
export async function signUpMember(browser: Browser, origin: string, firstName: string, lastName: string): Promise<Party> {
  const party = await openParty(browser, `${firstName} ${lastName}`);
  await signUpFrom(party, origin, firstName, lastName);
  return party;
}

/** Signs a new member up from the side's own page, in whichever browser. */
export async function signUpFrom(side: CallSide, origin: string, firstName: string, lastName: string): Promise<void> {
  await side.page.goto(`${origin}/login`);
  const email = `${firstName}.${lastName}@example.org`.toLowerCase();
  const status = await inPage(
    side.page,
    async (body) =>
      (await window.fetch('/api/auth/signup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status,
    { email, password: 'correct horse battery staple', firstName, lastName, acceptPolicy: true },
  );
  if (status !== 201) throw new Error(`signing ${email} up answered ${String(status)}`);
}

const waitFor = (page: DrivenPage, selector: string): Promise<unknown> => page.waitForSelector(selector, { timeout: NAT_CALL_WAIT_MS });
const isShown = (page: DrivenPage, selector: string): Promise<boolean> => inPage(page, (wanted: string) => document.querySelector(wanted) !== null, selector);

/** Opens /calls, its signaling connected; its directory lists the members signed up so far. */
export async function openCallsPage(member: CallSide, origin: string): Promise<void> {
  await member.page.goto(`${origin}/calls`);
  await waitFor(member.page, '#signal-status[data-state="open"]');
}

/** Rings `callee` from the caller's directory (its entry's button, once enabled). */
export async function callFromDirectory(caller: CallSide, callee: CallSide): Promise<void> {
  const button = `.call-member[aria-label=${JSON.stringify(`Call ${callee.name}`)}]`;
  await waitFor(caller.page, `${button}:not([disabled])`);
  await caller.page.click(button);
}

/** Waits until the pages' own path label and the stats of both sides agree on `expected`. */
async function settlePath(caller: DrivenPage, callee: DrivenPage, expected: PathKind): Promise<void> {
  await waitUntil(
    async () => {
      for (const page of [caller, callee]) {
        const path = await selectedPath(page);
        if (path === null || kindOf(path) !== expected) return false;
        if (!(await isShown(page, `.call-screen[data-path="${expected}"]`))) return false;
      }
      return true;
    },
    `both sides to report a ${expected} path`,
    NAT_CALL_WAIT_MS,
  );
}

/**
 * Rings from `ring` (which opens the call from the caller's page), answers on the callee's page,
 * and measures the call; never throws, so a failed cell is still recorded. `expected` is the path (null)
 * both sides should settle on; the report says what they did settle on.
 */
export async function measureCall(caller: CallSide, callee: CallSide, ring: () => Promise<void>, expected: PathKind | null): Promise<CallResult> {
  const result: CallResult = { connected: false, connectMs: null, caller: null, callee: null, mediaBothWays: false, error: null };
  /** The step under way, named in the error if it fails. */
  let step = 'ringing';
  try {
    await ring();
    step = `${callee.name}'s incoming call`;
    await waitFor(callee.page, '#incoming-dialog[open]');
    const answered = Date.now();
    await callee.page.click('#incoming-accept');
    step = 'both screens connected';
    await Promise.all([caller.page, callee.page].map((page) => waitFor(page, '.call-screen[data-phase="connected"]')));
    result.connectMs = Date.now() - answered;
    result.connected = true;
    step = 'media both ways';
    await waitMediaGrowing(caller.page, `${caller.name} (caller)`, NAT_CALL_WAIT_MS);
    await waitMediaGrowing(callee.page, `${callee.name} (callee)`, NAT_CALL_WAIT_MS);
    result.mediaBothWays = true;
    if (expected !== null) await settlePath(caller.page, callee.page, expected).catch((error: Error) => (result.error = error.message));
  } catch (error) {
    const sides = await Promise.all([caller, callee].map(describeSide));
    result.error = [`${step}: ${(error as Error).message.split('\n')[0] ?? 'unknown'}`, ...sides].join('\n');
  }
  result.caller = await selectedPath(caller.page).catch(() => null);
  result.callee = await selectedPath(callee.page).catch(() => null);
  return result;
}

/** What a side's page shows and last said, for a failed call's report. */
async function describeSide(side: CallSide): Promise<string> {
  const shown = await inPage(side.page, () => {
    const screen = document.querySelector('.call-screen');
    return [
      `signaling ${document.querySelector('#signal-status')?.dataset.state ?? '?'}`,
      `incoming dialog ${document.querySelector('#incoming-dialog[open]') === null ? 'closed' : 'open'}`,
      screen === null ? 'no call screen' : `call screen ${screen.dataset.phase}: ${screen.querySelector('.call-status')?.textContent ?? ''}`,
      `${window.__pcs?.length ?? 0} connections, last ${window.__pcs?.at(-1)?.connectionState ?? '–'}`,
    ].join('; ');
  }).catch((error: Error) => `page unreadable (${error.message.split('\n')[0] ?? ''})`);
  const said = side.console === undefined || side.console.length === 0 ? '' : `\n    ${side.console.join('\n    ')}`;
  return `  ${side.name}: ${shown}${said}`;
}

/** Hangs up from the caller's side and waits until both call screens are gone. */
export async function hangUp(caller: CallSide, callee: CallSide): Promise<void> {
  if (!(await isShown(caller.page, '.call-screen'))) return;
  await caller.page.click('.call-button-hang-up');
  for (const side of [caller, callee])
    await waitUntil(async () => !(await isShown(side.page, '.call-screen')), `${side.name}'s call screen to close`, NAT_CALL_WAIT_MS);
}

/** A member page left mid-call by a failed step is reloaded, so the next call starts idle. */
export async function makeIdle(member: Party, origin: string): Promise<void> {
  const idle = (await member.page.locator('.call-screen').count()) === 0 && (await member.page.locator('#incoming-dialog[open]').count()) === 0;
  if (idle && (await member.page.locator('#signal-status[data-state="open"]').count()) === 1) return;
  await openCallsPage(member, origin);
}

export function describePath(path: PathReport | null): string {
  if (path === null) return '–';
  const via = path.local === 'relay' ? `relay/${path.relayProtocol ?? '?'}` : `${path.local}/${path.protocol}`;
  return `${via} → ${path.remote}`;
}
