// Helpers for suites that drive the call pages in real browsers, whichever driver holds the page:
// playwright-core's Chromium pages and puppeteer-core's Firefox pages both fit `DrivenPage`.
// Code that runs in the page is passed as a self-contained function (no closure over test
// variables), sent as its source text.
import { waitUntil } from './wait.js';
import type { PageNode, PageStats } from './page-types.js';

/** The part of a playwright or puppeteer page these helpers use. */
export type DrivenPage = {
  evaluate(expression: string): Promise<unknown>;
  goto(url: string): Promise<unknown>;
  waitForSelector(selector: string, options: { timeout: number }): Promise<unknown>;
  click(selector: string): Promise<void>;
};

/** Connecting through the relay takes about a second; media then flows within a few, on two busy cores. */
export const CALL_WAIT_MS = 20_000;

/** Runs `fn(arg)` in the page; `fn` may only use its argument and the page's globals. */
export function inPage<T, A = undefined>(page: DrivenPage, fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T> {
  return page.evaluate(`(${fn.toString()})(${arg === undefined ? '' : JSON.stringify(arg)})`) as Promise<T>;
}

/** Every RTCPeerConnection a page makes is kept on window.__pcs, so the test can read its stats. */
export const RECORD_PEER_CONNECTIONS = `(() => {
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  // A browser without WebRTC keeps lacking it.
  if (typeof Original !== 'function') return;
  window.RTCPeerConnection = class extends Original {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
})();`;

/** Every WebSocket a page opens is kept on window.__sockets, so a test can cut one. */
export const RECORD_WEBSOCKETS = `(() => {
  const Original = window.WebSocket;
  window.__sockets = [];
  window.__sent = [];
  window.WebSocket = class extends Original {
    constructor(...args) { super(...args); window.__sockets.push(this); }
    send(data) { window.__sent.push(String(data)); return super.send(data); }
  };
})();`;

// Code passed to the page runs there; this names its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const document: any;

/** What the page's latest peer connection has received: bytes per kind, video frames decoded. */
export type InboundMedia = { audioBytes: number; videoBytes: number; framesDecoded: number };

export function inboundMedia(page: DrivenPage): Promise<InboundMedia> {
  return inPage(page, async () => {
    const media = { audioBytes: 0, videoBytes: 0, framesDecoded: 0 };
    const pc = window.__pcs.at(-1);
    if (pc === undefined) return media;
    const stats = await pc.getStats();
    stats.forEach((report: PageStats) => {
      if (report.type !== 'inbound-rtp') return;
      if (report.kind === 'audio') media.audioBytes += report.bytesReceived ?? 0;
      if (report.kind === 'video') {
        media.videoBytes += report.bytesReceived ?? 0;
        media.framesDecoded += report.framesDecoded ?? 0;
      }
    });
    return media;
  });
}

/** Waits until audio bytes, video bytes and decoded video frames all grow: the other side is heard and seen. */
export async function waitMediaGrowing(page: DrivenPage, who: string, timeoutMs = CALL_WAIT_MS): Promise<void> {
  const before = await inboundMedia(page);
  await waitUntil(
    async () => {
      const now = await inboundMedia(page);
      return now.audioBytes > before.audioBytes && now.videoBytes > before.videoBytes && now.framesDecoded > before.framesDecoded;
    },
    `${who}: audio and video bytes and decoded frames to grow`,
    timeoutMs,
  );
}

/** Logs a member in from the page itself (the browser keeps the cookie) and opens /calls, its signaling connected. */
/** `reachState`: what the page's reachability line must come to (data-state), `open` unless the test says otherwise. */
export async function logInOnCallsPage(
  page: DrivenPage,
  origin: string,
  member: { email: string; password: string },
  timeoutMs = CALL_WAIT_MS,
  reachState = 'open',
): Promise<void> {
  await page.goto(`${origin}/login`);
  const status = await inPage(
    page,
    async ({ email, password }) =>
      (await window.fetch('/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) }))
        .status,
    { email: member.email, password: member.password },
  );
  if (status !== 200) throw new Error(`logging ${member.email} in answered ${String(status)}`);
  await page.goto(`${origin}/calls`);
  await page.waitForSelector(`#signal-status[data-state="${reachState}"]`, { timeout: timeoutMs });
}

/** Waits until an element matching `selector` has `text` in its text. */
export async function waitForText(page: DrivenPage, selector: string, text: string, timeoutMs = CALL_WAIT_MS): Promise<void> {
  await waitUntil(
    () =>
      inPage(page, ({ selector, text }) => [...document.querySelectorAll(selector)].some((node: PageNode) => (node.textContent ?? '').includes(text)), {
        selector,
        text,
      }),
    `"${text}" in ${selector}`,
    timeoutMs,
  );
}

/** Types into a field as a person would end up with: the value set, an input event fired. */
export async function fill(page: DrivenPage, selector: string, value: string): Promise<void> {
  await inPage(
    page,
    ({ selector, value }) => {
      const field = document.querySelector(selector);
      if (field === null) throw new Error(`no ${selector}`);
      field.focus();
      field.value = value;
      field.dispatchEvent(new window.Event('input', { bubbles: true }));
    },
    { selector, value },
  );
}

/** The attribute's value on the first element matching `selector`, null when absent. */
export function attributeOf(page: DrivenPage, selector: string, name: string): Promise<string | null> {
  return inPage(page, ({ selector, name }) => document.querySelector(selector)?.getAttribute(name) ?? null, { selector, name });
}

/** The call link the member's calls page shows, once it shows one (any driver's page). */
export async function callLinkOf(member: DrivenPage): Promise<string> {
  let link = '';
  await waitUntil(
    async () => {
      link = await inPage(member, () => document.querySelector('#call-link').value as string);
      return link !== '';
    },
    'the call link to show',
    CALL_WAIT_MS,
  );
  return link;
}
