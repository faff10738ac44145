// The call screen's honest states in real Firefox, with Firefox's own behaviour rather than stubs:
// a Firefox with WebRTC turned off (media.peerconnection.enabled), one that blocks the camera and
// microphone (permissions.default.*), and in a call between two Firefox pages the focus after
// answering, the quality line, a screen share that Firefox cannot start here (headless: no screen,
// a real NotFoundError), its speaker chooser (selectAudioOutput, no output listed), and the chat's
// Escape. Chromium's side of the same states is in call-screen.browser.test.ts.
import type { Browser, Page } from 'puppeteer-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp, type TestMember } from '../accounts/helpers.js';
import { CALL_WAIT_MS, fill, inPage, logInOnCallsPage, callLinkOf, waitForText, waitMediaGrowing, type DrivenPage } from '../helpers/call-pages.js';
import { firefoxSuite, launchFirefox } from '../helpers/firefox.js';
import { memberOnFirefoxCallsPage, openFirefoxPage as openPage } from '../helpers/firefox-pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const document: any;

/** A range of its own, apart from the other relay suites'. */
const RELAY_PORTS = { min: 52600, max: 52699 };
/** Firefox takes 4–10 s to start on two busy cores. */
const LAUNCH_WAIT_MS = 60_000;
const NO_WEBRTC = { 'media.peerconnection.enabled': false };
/** As a person who refused the camera and microphone for every site: Firefox answers NotAllowedError. */
const BLOCKED_MEDIA = { 'media.navigator.permission.disabled': false, 'permissions.default.camera': 2, 'permissions.default.microphone': 2 };

const { suite: screen, test } = firefoxSuite('the call screen in Firefox');

let server: TestServer;
/** Firefox as the tests' other party, with the usual call prefs. */
let working: Browser;

screen.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true, turnRelayPorts: RELAY_PORTS });
  working = await withTimeout(launchFirefox(), 'Firefox to start', LAUNCH_WAIT_MS);
});

screen.after(async () => {
  await working?.close();
  await server?.close();
});

/** Runs `body` with a Firefox of its own, closed whatever happens. */
async function withFirefox(prefs: Record<string, unknown>, body: (firefox: Browser) => Promise<void>): Promise<void> {
  const firefox = await withTimeout(launchFirefox(prefs), 'Firefox to start', LAUNCH_WAIT_MS);
  try {
    await body(firefox);
  } finally {
    await firefox.close();
  }
}

const visible = (page: Page, selector: string): Promise<unknown> => page.waitForSelector(selector, { visible: true, timeout: CALL_WAIT_MS });
const textOf = (page: DrivenPage, selector: string): Promise<string> => inPage(page, (wanted) => document.querySelector(wanted)?.textContent ?? '', selector);
const socketsOpened = (page: DrivenPage): Promise<number> => inPage(page, () => window.__sockets.length as number);

/** The guest fills in a name and presses Call; resolves once the page has said a media problem. */
async function guestTriesToRing(guest: Page, link: string): Promise<string> {
  await guest.goto(link);
  await fill(guest, '#display-name', 'Paul Langevin');
  await guest.click('#guest-call');
  await visible(guest, '#media-problem #media-problem-text');
  await waitUntil(async () => (await textOf(guest, '#media-problem-text')) !== '', 'the media problem to be said', CALL_WAIT_MS);
  return textOf(guest, '#media-problem-text');
}

/** The member's calls page open in the working Firefox, for `body`, then closed. */
async function withMemberPage(member: TestMember, body: (callee: Page) => Promise<void>): Promise<void> {
  const callee = await memberOnFirefoxCallsPage(working, server.url, member);
  try {
    await body(callee);
  } finally {
    await callee.browserContext().close();
  }
}

const rung = (callee: Page): Promise<number> => inPage(callee, () => document.querySelectorAll('#incoming-dialog[open]').length as number);

test('Firefox with WebRTC turned off: the guest is told before ringing, the member is told they cannot be called here', async () => {
  const member = await signUp(server, { firstName: 'Marie', lastName: 'SansWebRTC' });
  const other = await signUp(server, { firstName: 'Bob', lastName: 'SansWebRTC' });
  await withMemberPage(member, async (callee) => {
    const link = await callLinkOf(callee);
    await withFirefox(NO_WEBRTC, async (firefox) => {
      const guest = await openPage(firefox);
      assert.match(await guestTriesToRing(guest, link), 'This browser cannot make calls: it has no WebRTC.');
      assert.is(await socketsOpened(guest), 0, 'the guest page never opened a signaling socket');

      const unable = await openPage(firefox);
      await logInOnCallsPage(unable, server.url, other, CALL_WAIT_MS, 'unsupported');
      assert.match(await textOf(unable, '#signal-status'), 'You cannot be called in this browser.');
      assert.is(await socketsOpened(unable), 0, 'nothing can ring a page that could not answer');
    });
    assert.is(await rung(callee), 0, 'no one was rung');
  });
});

test('Firefox blocking the camera and microphone: the guest is told why, offered to try again, and rings no one', async () => {
  const member = await signUp(server, { firstName: 'Irène', lastName: 'Bloquée' });
  await withMemberPage(member, async (callee) => {
    const link = await callLinkOf(callee);
    await withFirefox(BLOCKED_MEDIA, async (firefox) => {
      const guest = await openPage(firefox);
      assert.match(await guestTriesToRing(guest, link), 'Your browser blocked the camera and microphone.');
      await visible(guest, '#media-retry');
      await visible(guest, '#media-audio-only');
      assert.is(await socketsOpened(guest), 0);
    });
    assert.is(await rung(callee), 0, 'no one was rung');
  });
});

async function inCall(member: TestMember, body: (callee: Page, guest: Page) => Promise<void>): Promise<void> {
  const callee = await openPage(working);
  const guest = await openPage(working);
  try {
    await logInOnCallsPage(callee, server.url, member);
    await guest.goto(await callLinkOf(callee));
    await fill(guest, '#display-name', 'Paul Langevin');
    await guest.click('#guest-call');
    await visible(callee, '#incoming-dialog[open] #incoming-accept');
    await callee.click('#incoming-accept');
    for (const page of [callee, guest]) await page.waitForSelector('.call-screen[data-phase="connected"]', { timeout: CALL_WAIT_MS });
    await waitMediaGrowing(callee, 'the member');
    await waitMediaGrowing(guest, 'the guest');
    await body(callee, guest);
  } finally {
    await guest.browserContext().close();
    await callee.browserContext().close();
  }
}

test('in a call in Firefox: focus on the controls, the quality said, a screen share and a speaker Firefox cannot offer said plainly, Escape closes the chat', async () => {
  const member = await signUp(server, { firstName: 'Marie', lastName: 'Firefox' });
  await inCall(member, async (callee) => {
    // After answering, the keyboard is on the call controls.
    await waitUntil(
      async () => (await inPage(callee, () => (document.activeElement?.className ?? '') as string)).includes('call-button-mute'),
      'focus on the mute button',
      CALL_WAIT_MS,
    );
    await callee.waitForSelector('.call-screen[data-quality="good"]', { timeout: CALL_WAIT_MS });

    // Headless Firefox has no screen to share: its real refusal is said, and the button stays off.
    await callee.click('.call-button-share');
    await waitForText(callee, '.call-problem[role="alert"]', 'No screen to share was found.');
    assert.is(await inPage(callee, () => document.querySelector('.call-button-share').getAttribute('aria-pressed') as string), 'false');

    await callee.click('.call-problem-close');
    await callee.waitForSelector('.call-problem', { hidden: true, timeout: CALL_WAIT_MS });

    // Firefox lists no speaker until one is chosen in its own chooser, which finds none here.
    // Firefox lists devices only to the page in front, as the page a person clicks is.
    await callee.bringToFront();
    await callee.click('.call-button-devices');
    await callee.waitForSelector('.devices-dialog[open]', { timeout: CALL_WAIT_MS });
    await visible(callee, '#device-speaker-choose');
    await callee.click('#device-speaker-choose');
    await waitForText(callee, '.call-problem', 'No speaker found: sound plays on the system’s.');
    await inPage(callee, () => document.querySelector('.devices-dialog').close());

    // The chat: Escape closes it and gives the focus back to its button.
    await callee.click('.call-button-chat');
    await visible(callee, '#call-chat-input');
    await callee.keyboard.press('Escape');
    await waitUntil(
      async () => (await inPage(callee, () => document.querySelector('#call-chat').hidden as boolean)) === true,
      'the chat to close',
      CALL_WAIT_MS,
    );
    assert.is(await inPage(callee, () => document.querySelector('.call-button-chat').getAttribute('aria-expanded') as string), 'false');
    assert.match(await inPage(callee, () => (document.activeElement?.className ?? '') as string), 'call-button-chat');

    await callee.click('.call-button-hang-up');
    await waitForText(callee, '#call-notice:not([hidden])', 'Call with Paul Langevin ended');
  });
});

screen.run();
