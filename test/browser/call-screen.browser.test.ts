// The call screen telling the truth, in real Chromium against the real server: a browser that
// lacks what a call needs is told what is missing and rings no one; a camera denied or missing
// is explained; during a call, what the other side turned off shows on their tile, a shared
// screen is shown whole, device and screen-share failures are said, the speaker can be chosen
// where the browser only offers its own chooser, a weak connection is named, and the controls
// read as their state for keyboard and screen-reader users. (Firefox: the firefox-guest-calls and firefox-member-calls suites.)
//
// Set PORTHELLO_SCREENSHOTS=<dir> to keep screenshots of the states, phone and desktop, light and dark.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp, type TestMember } from '../accounts/helpers.js';
import { browserSuite, launchBrowser } from '../helpers/browser.js';
import { logInOnCallsPage, RECORD_PEER_CONNECTIONS, RECORD_WEBSOCKETS, waitMediaGrowing } from '../helpers/call-pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { contrast } from '../helpers/colours.js';

// Code passed to the page runs there; these name its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const document: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const navigator: any;

const BROWSER_WAIT_MS = 20_000;
/** A range of its own, apart from the other relay suites'. */
const RELAY_PORTS = { min: 52700, max: 52799 };
const SCREENSHOT_DIR = process.env['PORTHELLO_SCREENSHOTS'];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** WCAG 2.2 non-text contrast, for the focus ring against the bar behind it. */
const FOCUS_CONTRAST_MIN = 3;

const { suite: screen, test } = browserSuite('call screen in Chromium');

let server: TestServer;
let browser: Browser;

screen.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true, turnRelayPorts: RELAY_PORTS });
  // The fake screen picker chooses the whole screen by itself.
  browser = await withTimeout(launchBrowser(['--auto-select-desktop-capture-source=Entire screen']), 'Chromium to start', BROWSER_WAIT_MS);
  if (SCREENSHOT_DIR !== undefined) mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

screen.after(async () => {
  await browser?.close();
  await server?.close();
});

type Side = { context: BrowserContext; page: Page };

async function openSide(viewport = PHONE, initScript?: string): Promise<Side> {
  const context = await browser.newContext({ locale: 'en-GB', viewport });
  await context.addInitScript(RECORD_PEER_CONNECTIONS);
  await context.addInitScript(RECORD_WEBSOCKETS);
  if (initScript !== undefined) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  return { context, page };
}

async function memberOnCallsPage(member: TestMember, viewport = DESKTOP, initScript?: string, reachState = 'open'): Promise<Side> {
  const side = await openSide(viewport, initScript);
  await logInOnCallsPage(side.page, server.url, member, BROWSER_WAIT_MS, reachState);
  return side;
}

async function callLinkOf(page: Page): Promise<string> {
  await waitUntil(async () => (await page.inputValue('#call-link')) !== '', 'the call link to show', BROWSER_WAIT_MS);
  return page.inputValue('#call-link');
}

/** The state at phone and desktop widths, light and dark. */
async function shots(page: Page, name: string): Promise<void> {
  if (SCREENSHOT_DIR === undefined) return;
  const viewport = page.viewportSize() ?? PHONE;
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const size of [PHONE, DESKTOP]) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${colorScheme}-${size.width}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(viewport);
}

const socketsOpened = (page: Page): Promise<number> => page.evaluate(() => window.__sockets.length as number);

/** Rings from the guest page and waits for the media problem to be said again; nothing may have been sent. */
async function guestTriesToRing(guest: Page, link: string): Promise<string> {
  await guest.goto(link);
  await guest.evaluate(() => (document.querySelector('#media-problem-text').textContent = ''));
  await guest.getByLabel('Your name').fill('Paul Langevin');
  await guest.getByRole('button', { name: 'Call', exact: true }).click();
  await guest.locator('#media-problem:not([hidden]) #media-problem-text:not(:empty)').waitFor();
  return (await guest.locator('#media-problem-text').textContent()) ?? '';
}

const MISSING = [
  {
    what: 'WebRTC',
    stub: "Object.defineProperty(window, 'RTCPeerConnection', { value: undefined, configurable: true, writable: true });",
    said: 'This browser cannot make calls: it has no WebRTC.',
  },
  {
    what: 'getUserMedia',
    stub: "Object.defineProperty(MediaDevices.prototype, 'getUserMedia', { value: undefined, configurable: true, writable: true });",
    said: 'This browser does not let pages use the camera and microphone.',
  },
];

for (const { what, stub, said } of MISSING) {
  test(`a browser without ${what} is told so before ringing, on the guest page and on the member's call button; no one is rung`, async () => {
    const member = await signUp(server, { firstName: 'Marie', lastName: `Sans${what}` });
    const other = await signUp(server, { firstName: 'Bob', lastName: `Sans${what}` });
    const callee = await memberOnCallsPage(member);
    const guest = await openSide(PHONE, stub);
    // Not reachable in a browser that could not answer, and told why.
    const caller = await memberOnCallsPage(other, PHONE, stub, 'unsupported');
    try {
      const link = await callLinkOf(callee.page);
      await guest.page.goto(link);
      // Said at once, with no button that could not help.
      await guest.page.locator('#media-problem:not([hidden])', { hasText: said }).waitFor();
      assert.ok(await guest.page.locator('#media-retry').isHidden());
      assert.ok(await guest.page.locator('#media-audio-only').isHidden());
      await shots(guest.page, `guest-no-${what}`);
      assert.match(await guestTriesToRing(guest.page, link), said);
      assert.is(await socketsOpened(guest.page), 0, 'the guest page never opened a signaling socket');

      const reach = (await caller.page.locator('#signal-status').textContent()) ?? '';
      assert.match(reach, 'You cannot be called in this browser.');
      assert.match(reach, said);
      assert.is(await socketsOpened(caller.page), 0, 'a member page that could not answer never connected, so nothing rings it');
      await shots(caller.page, `member-no-${what}`);

      // The member's call button says the same and sends no invite.
      await caller.page.getByRole('button', { name: `Call Marie Sans${what}` }).click();
      await caller.page.locator('#call-notice:not([hidden])', { hasText: said }).waitFor();
      assert.is(await callee.page.locator('#incoming-dialog[open]').count(), 0, 'no one was rung');
      assert.is(await callee.page.locator('#call-log .call-entry').count(), 0, 'no call was logged');
    } finally {
      await caller.context.close();
      await guest.context.close();
      await callee.context.close();
    }
  });
}

const REFUSALS = [
  { name: 'NotAllowedError', said: 'Your browser blocked the camera and microphone.', shot: 'guest-camera-denied' },
  { name: 'NotFoundError', said: 'No camera or microphone found.', shot: 'guest-no-device' },
];

for (const refusal of REFUSALS) {
  test(`a guest whose camera and microphone fail with ${refusal.name} is told why, can try again, and rings no one`, async () => {
    const member = await signUp(server, { firstName: 'Irène', lastName: refusal.name });
    const callee = await memberOnCallsPage(member);
    const stub = `navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused by the test', ${JSON.stringify(refusal.name)}));`;
    const guest = await openSide(PHONE, stub);
    try {
      const said = await guestTriesToRing(guest.page, await callLinkOf(callee.page));
      assert.match(said, refusal.said);
      assert.ok(await guest.page.locator('#media-retry').isVisible(), 'trying again is offered');
      assert.ok(await guest.page.locator('#media-audio-only').isVisible());
      await shots(guest.page, refusal.shot);
      assert.is(await socketsOpened(guest.page), 0);
      assert.is(await callee.page.locator('#incoming-dialog[open]').count(), 0, 'no one was rung');
    } finally {
      await guest.context.close();
      await callee.context.close();
    }
  });
}

/** The page's relay is one that refuses every connection (TCP to port 9 on loopback, where nothing listens). */
const RELAY_BLOCKED = `(() => {
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(config, ...rest) {
      const blocked = (config?.iceServers ?? []).map((server) => ({ ...server, urls: ['turn:127.0.0.1:9?transport=tcp'] }));
      super({ ...config, iceServers: blocked }, ...rest);
    }
  };
})();`;

test('a guest whose network blocks the relay is told so, instead of an endless "Connecting…"', async () => {
  const member = await signUp(server, { firstName: 'Marie', lastName: 'Relais' });
  const callee = await memberOnCallsPage(member);
  const guest = await openSide(PHONE, RELAY_BLOCKED);
  try {
    await guest.page.goto(await callLinkOf(callee.page));
    await guest.page.getByLabel('Your name').fill('Paul Langevin');
    await guest.page.getByRole('button', { name: 'Call', exact: true }).click();
    await callee.page.getByRole('button', { name: 'Answer' }).click();
    await guest.page
      .locator('.call-screen[data-phase="failed"] .call-status', { hasText: 'this network seems to block the way to the server’s relay' })
      .waitFor();
    await shots(guest.page, 'call-relay-blocked');
    await guest.page.getByRole('button', { name: 'Hang up' }).click();
    await guest.page.locator('#guest-ended:not([hidden])').waitFor();
  } finally {
    await guest.context.close();
    await callee.context.close();
  }
});

/** play() with sound refused while window.autoplayBlocked, as Safari refuses it without a tap. */
const BLOCK_AUTOPLAY = `(() => {
  window.autoplayBlocked = true;
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    if (window.autoplayBlocked && !this.muted) return Promise.reject(new DOMException('refused by the test', 'NotAllowedError'));
    return play.call(this);
  };
})();`;

const activeClass = (page: Page): Promise<string> => page.evaluate(() => (document.activeElement?.className ?? '') as string);

test('in a call: the other side’s mute and camera show on their tile, a shared screen is whole, failures are said, controls read as their state', async () => {
  const member = await signUp(server, { firstName: 'Marie', lastName: 'Curie' });
  const callee = await memberOnCallsPage(member);
  // The guest's browser refuses to play sound by itself (Safari's autoplay rule) until the test lifts it.
  const guest = await openSide(PHONE, BLOCK_AUTOPLAY);
  try {
    await guest.page.goto(await callLinkOf(callee.page));
    await guest.page.getByLabel('Your name').fill('Paul Langevin');
    await guest.page.getByRole('button', { name: 'Call', exact: true }).click();
    await callee.page.locator('#incoming-dialog[open]').waitFor();
    await callee.page.getByRole('button', { name: 'Answer' }).click();
    for (const side of [callee.page, guest.page]) await side.locator('.call-screen[data-phase="connected"]').waitFor();
    // After answering, the keyboard is on the call controls.
    await waitUntil(async () => (await activeClass(callee.page)).includes('call-button-mute'), 'focus on the mute button', BROWSER_WAIT_MS);
    await waitMediaGrowing(callee.page, 'the member', BROWSER_WAIT_MS);
    await waitMediaGrowing(guest.page, 'the guest', BROWSER_WAIT_MS);
    // Sound the browser would not play by itself: a button plays it.
    await guest.page.evaluate(() => (window.autoplayBlocked = false));
    await guest.page.getByRole('button', { name: 'Hear Marie' }).click();
    await guest.page.locator('.call-play-sound[hidden]').waitFor({ state: 'attached' });
    assert.is(await guest.page.locator('.remote-video').evaluate((v: Element) => (v as HTMLVideoElement).paused), false);
    await callee.page.locator('.call-screen[data-quality="good"] .call-quality[hidden]').waitFor({ state: 'attached' });

    // The guest mutes: the member sees it on the guest's tile; the button reads and looks pressed.
    const unpressed = await guest.page.locator('.call-button-mute').evaluate((b: Element) => window.getComputedStyle(b).backgroundColor);
    await guest.page.getByRole('button', { name: 'Mute the microphone' }).click();
    await callee.page.locator('.call-screen[data-peer-muted="true"] .peer-muted', { hasText: 'Paul Langevin muted their microphone' }).waitFor();
    assert.is(await guest.page.getAttribute('.call-button-mute', 'aria-pressed'), 'true');
    assert.is(await guest.page.getAttribute('.call-button-mute', 'aria-label'), 'Unmute the microphone');
    const pressed = await guest.page.locator('.call-button-mute').evaluate((b: Element) => window.getComputedStyle(b).backgroundColor);
    assert.ok(pressed !== unpressed, 'a pressed toggle looks different');

    // Camera off: their initials instead of a frozen picture; the guest's preview says so.
    await guest.page.getByRole('button', { name: 'Turn the camera off' }).click();
    await callee.page.locator('.call-screen[data-peer-video="none"] .peer-avatar:not([hidden])', { hasText: 'PL' }).waitFor();
    await callee.page.locator('.peer-camera-off', { hasText: 'Paul Langevin turned their camera off' }).waitFor();
    await guest.page.locator('.local-tile[data-camera="off"] .local-off', { hasText: 'Your camera is off' }).waitFor({ state: 'visible' });
    await shots(callee.page, 'call-peer-camera-off');
    await shots(guest.page, 'call-own-camera-off');
    await guest.page.getByRole('button', { name: 'Turn the camera on' }).click();
    await guest.page.getByRole('button', { name: 'Unmute the microphone' }).click();
    await callee.page.locator('.call-screen[data-peer-video="camera"][data-peer-muted="false"] .peer-avatar[hidden]').waitFor({ state: 'attached' });
    assert.is(await callee.page.locator('.peer-flag').count(), 0);

    // The member shares the screen: the guest's phone shows it whole, and can view it full screen.
    // The shared screen is a wide drawing of known shape (the real capture is the local-media suite's):
    // a phone-shaped tile would crop it with the old fit.
    await callee.page.evaluate(() => {
      navigator.mediaDevices.getDisplayMedia = async () => {
        const canvas = document.createElement('canvas');
        canvas.width = 1280;
        canvas.height = 720;
        const draw = canvas.getContext('2d');
        draw.fillStyle = '#3366cc';
        draw.fillRect(0, 0, 1280, 720);
        draw.fillStyle = '#ffffff';
        draw.font = '96px sans-serif';
        draw.fillText('Shared screen, left to right', 40, 400);
        window.screenRedraw = setInterval(() => draw.fillRect(0, 0, 4, 4), 100);
        return canvas.captureStream(10);
      };
    });
    await callee.page.getByRole('button', { name: 'Share your screen' }).click();
    await guest.page.locator('.call-screen[data-peer-video="screen"]').waitFor();
    assert.is(await guest.page.locator('.remote-video').evaluate((v: Element) => window.getComputedStyle(v).objectFit), 'contain');
    await shots(guest.page, 'call-screen-shared');
    await guest.page.getByRole('button', { name: 'View full screen' }).click();
    await waitUntil(() => guest.page.evaluate(() => document.fullscreenElement?.classList.contains('call-stage') === true), 'the stage full screen');
    await guest.page.locator('.call-button-full-screen[aria-pressed="true"]').waitFor({ state: 'attached' });
    await guest.page.evaluate(() => document.exitFullscreen());
    await guest.page.locator('.call-button-full-screen[aria-pressed="false"]').waitFor({ state: 'attached' });

    // A screen share refused, a camera in use: said on the screen, the controls as things stand.
    await callee.page.getByRole('button', { name: 'Stop sharing your screen' }).click();
    await guest.page.locator('.call-screen[data-peer-video="camera"]').waitFor();
    await callee.page.evaluate(() => {
      navigator.mediaDevices.getDisplayMedia = () => Promise.reject(new DOMException('refused by the test', 'NotAllowedError'));
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused by the test', 'NotReadableError'));
    });
    await callee.page.getByRole('button', { name: 'Share your screen' }).click();
    await callee.page.locator('.call-problem[role="alert"]', { hasText: 'Screen sharing did not start' }).waitFor();
    assert.is(await callee.page.getAttribute('.call-button-share', 'aria-pressed'), 'false');
    await callee.page.getByRole('button', { name: 'Turn the camera off' }).click();
    await callee.page.getByRole('button', { name: 'Turn the camera on' }).click();
    await callee.page.locator('.call-problem', { hasText: 'The camera is used by another application' }).waitFor();
    assert.is(await callee.page.getAttribute('.call-button-camera', 'aria-pressed'), 'true', 'the camera stays off');
    await guest.page.locator('.call-screen[data-peer-video="none"]').waitFor();
    await shots(callee.page, 'call-camera-in-use');

    // Where the browser lists no speaker but has its own chooser (Firefox), the dialog offers it.
    await guest.page.evaluate(() => {
      const list = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
      navigator.mediaDevices.enumerateDevices = async () => (await list()).filter((d: { kind: string }) => d.kind !== 'audiooutput');
      navigator.mediaDevices.selectAudioOutput = async () => ({ deviceId: 'chosen-by-person' });
      window.HTMLMediaElement.prototype.setSinkId = async (id: string) => {
        window.sunk = id;
      };
    });
    await guest.page.getByRole('button', { name: 'Microphone, camera and speaker' }).click();
    await guest.page.getByRole('button', { name: 'Choose a speaker' }).click();
    await waitUntil(() => guest.page.evaluate(() => window.sunk === 'chosen-by-person'), 'the chosen speaker in use');
    await guest.page.evaluate(() => {
      navigator.mediaDevices.selectAudioOutput = () => Promise.reject(new DOMException('refused by the test', 'NotAllowedError'));
    });
    await guest.page.getByRole('button', { name: 'Choose a speaker' }).click();
    await guest.page.locator('.call-problem', { hasText: 'The browser did not allow choosing a speaker.' }).waitFor({ state: 'attached' });
    await guest.page.getByRole('button', { name: 'Close', exact: true }).click();

    // The chat: a list inside the live region; Escape closes it and gives focus back to its button.
    await callee.page.getByRole('button', { name: 'Chat' }).click();
    await callee.page.getByLabel('Your message').fill('Bonjour Paul');
    await callee.page.keyboard.press('Enter');
    await callee.page.locator('.chat-scroll[role="log"] > ol.chat-log:not([role]) > li.chat-mine').waitFor();
    await callee.page.keyboard.press('Escape');
    await callee.page.locator('#call-chat[hidden]').waitFor({ state: 'attached' });
    assert.is(await callee.page.getAttribute('.call-button-chat', 'aria-expanded'), 'false');
    assert.match(await activeClass(callee.page), 'call-button-chat');

    // The toolbar's focus ring stands out from the bar in both themes.
    for (const colorScheme of ['light', 'dark'] as const) {
      await callee.page.emulateMedia({ colorScheme });
      await callee.page.keyboard.press('Shift+Tab');
      await callee.page.keyboard.press('Tab');
      const ring = await callee.page.evaluate(() => {
        const button = document.activeElement;
        const style = window.getComputedStyle(button);
        return { style: style.outlineStyle, color: style.outlineColor, bar: window.getComputedStyle(button.closest('.call-controls')).backgroundColor };
      });
      assert.is(ring.style, 'solid', `${colorScheme}: a focus ring`);
      const ratio = contrast(ring.color, ring.bar);
      assert.ok(ratio >= FOCUS_CONTRAST_MIN, `${colorScheme}: focus ring contrast ${ratio.toFixed(2)}`);
    }
    await callee.page.emulateMedia({ colorScheme: 'light' });

    // A weak connection is named: the path's round trip reads 1.5 s.
    await guest.page.evaluate(() => {
      const read = window.RTCPeerConnection.prototype.getStats;
      window.RTCPeerConnection.prototype.getStats = async function (...args: unknown[]) {
        const report = await read.apply(this, args);
        const slowed = new Map();
        report.forEach((value: { type: string }, key: string) => {
          slowed.set(key, value.type === 'candidate-pair' ? { ...value, currentRoundTripTime: 1.5 } : value);
        });
        return slowed;
      };
    });
    await guest.page.locator('.call-screen[data-quality="bad"] .call-quality', { hasText: 'Very weak connection' }).waitFor();
    await shots(guest.page, 'call-weak-connection');

    await guest.page.getByRole('button', { name: 'Hang up' }).click();
    await guest.page.locator('#guest-ended:not([hidden])').waitFor();
  } finally {
    await guest.context.close();
    await callee.context.close();
  }
});

screen.run();
