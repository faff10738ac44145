// Calls between real Firefox and real Chromium pages against the real server (HTTP, signaler,
// embedded TURN relay), checked the same way every time: media and chat both ways, mute and
// camera off and on (shown on the other side's screen), the same security code on both screens
// (before and after a dropped signaling socket is resumed), the hang-up and the member's log.
//
// Firefox, granted the camera and microphone (see test/helpers/firefox.ts), gathers 127.0.0.1 and
// ::1 like Chromium, and /api/ice-servers offers the relay over UDP and TCP. Every page's console
// is watched: a description or candidate the engine refused ("call: ...") fails the test.
import type { Browser as PlaywrightBrowser } from 'playwright-core';
import type { Browser as PuppeteerBrowser } from 'puppeteer-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp, type TestMember } from '../accounts/helpers.js';
import { launchBrowser } from './browser.js';
import {
  attributeOf,
  callLinkOf,
  CALL_WAIT_MS,
  fill,
  inboundMedia,
  inPage,
  logInOnCallsPage,
  RECORD_PEER_CONNECTIONS,
  RECORD_WEBSOCKETS,
  waitForText,
  waitMediaGrowing,
  type DrivenPage,
} from './call-pages.js';
import { firefoxSuite, launchFirefox } from './firefox.js';
import { openFirefoxPage } from './firefox-pages.js';
import { startTestServer, type TestServer } from './server.js';
import { waitUntil, withTimeout } from './wait.js';
import type { PageSender } from './page-types.js';

// Code passed to the page runs there; these name its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const document: any;

/** Both browsers start together; Firefox takes 4–10 s on two busy cores. */
const LAUNCH_WAIT_MS = 60_000;
/** A sample of the video decoded: about 40–60 frames while the camera is on, a few black ones at most while it is off. */
const VIDEO_SAMPLE_MS = 2000;
const STOPPED_VIDEO_MAX_FRAMES = 4;

let server: TestServer;
let firefox: PuppeteerBrowser;
let chromium: PlaywrightBrowser;

/**
 * A suite of calls between Firefox and Chromium pages on one server with its relay (its own port
 * range, apart from the other relay suites'). One per test file: the browsers and the server
 * belong to the file's process.
 */
export function firefoxCallSuite(name: string, relayPorts: Readonly<{ min: number; max: number }>): ReturnType<typeof firefoxSuite> {
  const created = firefoxSuite(name, { withChromium: true });
  created.suite.before(async () => {
    server = await startTestServer({ env: FAST_BCRYPT, signaling: true, turnRelayPorts: relayPorts });
    [firefox, chromium] = await withTimeout(Promise.all([launchFirefox(), launchBrowser()]), 'Firefox and Chromium to start', LAUNCH_WAIT_MS);
  });
  created.suite.after(async () => {
    await firefox?.close();
    await chromium?.close();
    await server?.close();
  });
  return created;
}

export type BrowserName = 'Firefox' | 'Chromium';
/** One person's page, in its own browser context (its own cookies). */
type Side = { page: DrivenPage; who: string; close(): Promise<void> /** What the call engine complained of in the console. */; complaints: string[] };

/** The call engine's console.warn lines start so (see public/ts/lib/call/). */
const CALL_COMPLAINT = /^call: /;

async function openSide(browser: BrowserName, who: string): Promise<Side> {
  if (browser === 'Firefox') {
    const page = await openFirefoxPage(firefox);
    const complaints: string[] = [];
    page.on('console', (message) => {
      if (CALL_COMPLAINT.test(message.text())) complaints.push(message.text());
    });
    return { page, who: `${who} (Firefox)`, close: () => page.browserContext().close(), complaints };
  }
  const context = await chromium.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
  await context.addInitScript(RECORD_PEER_CONNECTIONS);
  await context.addInitScript(RECORD_WEBSOCKETS);
  const page = await context.newPage();
  page.setDefaultTimeout(CALL_WAIT_MS);
  const complaints: string[] = [];
  page.on('console', (message) => {
    if (CALL_COMPLAINT.test(message.text())) complaints.push(message.text());
  });
  return { page, who: `${who} (Chromium)`, close: () => context.close(), complaints };
}

const waitFor = (side: Side, selector: string): Promise<unknown> => side.page.waitForSelector(selector, { timeout: CALL_WAIT_MS });

/**
 * Both pages are in front, as each person's is on their own screen: a hidden one would run late
 * (see openFirefoxPage), and a call seen only from hidden pages is not the one people make.
 */
async function bothVisible(a: Side, b: Side): Promise<void> {
  for (const side of [a, b]) assert.is(await inPage(side.page, () => document.visibilityState as string), 'visible', `${side.who}: the page is in front`);
}

async function memberOnCallsPage(browser: BrowserName, member: TestMember): Promise<Side> {
  const side = await openSide(browser, member.firstName);
  await logInOnCallsPage(side.page, server.url, member);
  return side;
}

async function guestRings(guest: Side, link: string, name: string): Promise<void> {
  await guest.page.goto(link);
  await fill(guest.page, '#display-name', name);
  await guest.page.click('#guest-call');
}

async function callFromDirectory(caller: Side, callee: TestMember): Promise<void> {
  const button = `.directory-entry[data-member-id="${callee.id}"] .call-member`;
  await waitFor(caller, `${button}:not([disabled])`);
  await caller.page.click(button);
}

async function answers(callee: Side, callerName: string): Promise<void> {
  await waitFor(callee, '#incoming-dialog[open]');
  await waitForText(callee.page, '#incoming-who', callerName);
  await callee.page.click('#incoming-accept');
}

async function bothConnected(a: Side, b: Side, path?: 'relayed'): Promise<void> {
  for (const side of [a, b]) await waitFor(side, '.call-screen[data-phase="connected"]');
  if (path !== undefined) for (const side of [a, b]) await waitFor(side, `.call-screen[data-path="${path}"]`);
}

/** Six digits in two groups, as the call screen writes them. */
const CODE_FORMAT = /^\d{3} \d{3}$/;

/** Both screens show the same security code: the two browsers hash the same two certificates. */
async function sameSecurityCode(a: Side, b: Side): Promise<string> {
  const codes: string[] = [];
  for (const side of [a, b]) {
    await waitFor(side, '[data-verification-code]');
    codes.push(await inPage(side.page, () => document.querySelector('[data-verification-code]').textContent as string));
  }
  const [first = '', second = ''] = codes;
  assert.match(first, CODE_FORMAT);
  assert.is(first, second, `${a.who} and ${b.who} show the same code`);
  return first;
}

async function mediaFlowsBothWays(a: Side, b: Side): Promise<void> {
  await waitMediaGrowing(a.page, a.who);
  await waitMediaGrowing(b.page, b.who);
}

async function sendsChat(from: Side, to: Side, text: string): Promise<void> {
  const isOpen = (await attributeOf(from.page, '.call-button-chat', 'aria-expanded')) === 'true';
  if (!isOpen) await from.page.click('.call-button-chat');
  // The data channel may still be opening just after connecting: the form keeps the text until it is sent.
  await fill(from.page, '#call-chat-input', text);
  await waitUntil(
    async () => {
      await from.page.click('.chat-form button[type="submit"]');
      return (await inPage(from.page, () => document.querySelector('#call-chat-input').value as string)) === '';
    },
    `${from.who}: the chat to send`,
    CALL_WAIT_MS,
  );
  await waitForText(from.page, '.chat-log .chat-mine .chat-text', text);
  await waitForText(to.page, '.chat-log .chat-theirs .chat-text', text);
}

async function chatBothWays(a: Side, b: Side): Promise<void> {
  await sendsChat(a, b, `Hello from ${a.who}`);
  await sendsChat(b, a, `Hello back from ${b.who}`);
}

/** The track the page's latest peer connection sends for a kind: null when none, else whether it is enabled. */
const sentTrack = (side: Side, kind: 'audio' | 'video'): Promise<{ enabled: boolean } | null> =>
  inPage(
    side.page,
    (wanted) => {
      const sender = window.__pcs
        .at(-1)
        .getSenders()
        .find((s: PageSender) => s.track?.kind === wanted);
      return sender === undefined ? null : { enabled: sender.track.enabled as boolean };
    },
    kind,
  );

async function pressed(side: Side, button: string, expected: boolean): Promise<void> {
  await waitUntil(
    async () => (await attributeOf(side.page, button, 'aria-pressed')) === String(expected),
    `${side.who}: ${button} pressed=${String(expected)}`,
    CALL_WAIT_MS,
  );
}

/**
 * The other side's video stops: over a sample it decodes at most a frame or two a second (a
 * browser whose camera went off may still send a black frame now and then), against 15–30 live.
 */
async function waitVideoStopped(viewer: Side): Promise<void> {
  let lastFrames = -1;
  const stopped = waitUntil(
    async () => {
      const before = (await inboundMedia(viewer.page)).framesDecoded;
      await new Promise((resolve) => setTimeout(resolve, VIDEO_SAMPLE_MS));
      lastFrames = (await inboundMedia(viewer.page)).framesDecoded - before;
      return lastFrames <= STOPPED_VIDEO_MAX_FRAMES;
    },
    `${viewer.who}: the video to stop`,
    CALL_WAIT_MS,
  );
  await stopped.catch((error: Error) => {
    throw new Error(`${error.message} (last sample: ${String(lastFrames)} frames in ${String(VIDEO_SAMPLE_MS)} ms)`);
  });
}

/**
 * `actor` mutes and unmutes, then turns the camera off and on: the buttons follow, the sent
 * tracks follow, the viewer's video stops while the camera is off and comes back after.
 */
async function muteAndCameraRoundTrip(actor: Side, viewer: Side): Promise<void> {
  await actor.page.click('.call-button-mute');
  await pressed(actor, '.call-button-mute', true);
  assert.equal(await sentTrack(actor, 'audio'), { enabled: false }, `${actor.who} sends a disabled microphone`);
  // The viewer is told, over the data channel, and shows it on the actor's tile.
  await waitFor(viewer, '.call-screen[data-peer-muted="true"] .peer-muted');
  await actor.page.click('.call-button-mute');
  await pressed(actor, '.call-button-mute', false);
  assert.equal(await sentTrack(actor, 'audio'), { enabled: true }, `${actor.who} sends the microphone again`);
  await waitFor(viewer, '.call-screen[data-peer-muted="false"]');

  await actor.page.click('.call-button-camera');
  await pressed(actor, '.call-button-camera', true);
  assert.is(await sentTrack(actor, 'video'), null, `${actor.who} sends no video`);
  await waitVideoStopped(viewer);
  // Initials instead of a frozen picture; the actor's own preview says the camera is off.
  await waitFor(viewer, '.call-screen[data-peer-video="none"] .peer-avatar:not([hidden]) .avatar-initials');
  await waitFor(actor, '.local-tile[data-camera="off"]');
  await actor.page.click('.call-button-camera');
  await pressed(actor, '.call-button-camera', false);
  await waitUntil(async () => (await sentTrack(actor, 'video')) !== null, `${actor.who}: the camera to be sent again`, CALL_WAIT_MS);
  await waitFor(viewer, '.call-screen[data-peer-video="camera"]');
  assert.is(await attributeOf(viewer.page, '.peer-avatar', 'hidden'), '', `${viewer.who}: the initials give way to the picture`);
  await mediaFlowsBothWays(actor, viewer);
}

/** The side's network drops its signaling socket; the page reconnects, resumes the call, and media flows both ways again. */
async function survivesDroppedSocket(dropped: Side, other: Side): Promise<void> {
  await inPage(dropped.page, () => window.__sockets.at(-1).close());
  await waitUntil(async () => (await inPage(dropped.page, () => window.__sockets.length as number)) === 2, `${dropped.who}: a new socket`, CALL_WAIT_MS);
  await waitUntil(
    async () => (await inPage(dropped.page, () => window.__sockets.at(-1).readyState as number)) === 1,
    `${dropped.who}: the new socket to open`,
    CALL_WAIT_MS,
  );
  await waitFor(dropped, '.call-screen');
  // The resume restarts ICE from one side; the negotiation settles and media flows on the new path.
  for (const side of [dropped, other]) {
    await waitUntil(
      async () => (await inPage(side.page, () => window.__pcs.at(-1).signalingState as string)) === 'stable',
      `${side.who}: a stable negotiation`,
      CALL_WAIT_MS,
    );
  }
  await mediaFlowsBothWays(dropped, other);
}

async function memberSeesEnded(member: Side, peerName: string): Promise<void> {
  await waitForText(member.page, '#call-notice:not([hidden])', `Call with ${peerName} ended`);
  await waitUntil(
    async () => (await inPage(member.page, () => document.querySelector('.call-screen') === null)) === true,
    `${member.who}: the call screen to go`,
    CALL_WAIT_MS,
  );
}

function noComplaints(...sides: Side[]): void {
  for (const side of sides) assert.equal(side.complaints, [], `${side.who}: the call engine refused nothing`);
}

async function logShowsAnswered(member: Side, callerName: string): Promise<void> {
  await waitForText(member.page, '#call-log .call-entry:first-child .call-entry-name', callerName);
  assert.is(await attributeOf(member.page, '#call-log .call-entry:first-child', 'data-outcome'), 'answered');
}

/** A guest on one browser rings a member on the other, and every check of a call is made. */
export async function guestCall(guestBrowser: BrowserName, memberBrowser: BrowserName, names: { member: [string, string]; guest: string }): Promise<void> {
  const member = await signUp(server, { firstName: names.member[0], lastName: names.member[1] });
  const callee = await memberOnCallsPage(memberBrowser, member);
  const guest = await openSide(guestBrowser, names.guest);
  try {
    await bothVisible(callee, guest);
    await guestRings(guest, await callLinkOf(callee.page), names.guest);
    await answers(callee, names.guest);
    // Calls from a link are relay-only: the member's address never reaches the guest.
    await bothConnected(callee, guest, 'relayed');
    await mediaFlowsBothWays(callee, guest);
    const code = await sameSecurityCode(guest, callee);
    await chatBothWays(guest, callee);
    const firefoxSide = guestBrowser === 'Firefox' ? guest : callee;
    await muteAndCameraRoundTrip(firefoxSide, firefoxSide === guest ? callee : guest);
    await survivesDroppedSocket(firefoxSide, firefoxSide === guest ? callee : guest);
    // An ICE restart keeps the certificates, and so the code.
    assert.is(await sameSecurityCode(guest, callee), code);

    await guest.page.click('.call-button-hang-up');
    await waitForText(guest.page, '#guest-ended:not([hidden]) #guest-ended-text', `Call with ${names.member[0]} ended`);
    await memberSeesEnded(callee, names.guest);
    await logShowsAnswered(callee, `${names.guest} (guest)`);
    noComplaints(guest, callee);
  } finally {
    await guest.close();
    await callee.close();
  }
}

/** A member on one browser calls another from the directory, and every check of a call is made. */
export async function memberCall(
  callerBrowser: BrowserName,
  calleeBrowser: BrowserName,
  dropped: 'caller' | 'callee',
  lastNames: [string, string],
): Promise<void> {
  const alice = await signUp(server, { firstName: 'Alice', lastName: lastNames[0] });
  const bob = await signUp(server, { firstName: 'Bob', lastName: lastNames[1] });
  const bobSide = await memberOnCallsPage(calleeBrowser, bob);
  const aliceSide = await memberOnCallsPage(callerBrowser, alice);
  try {
    await bothVisible(bobSide, aliceSide);
    await callFromDirectory(aliceSide, bob);
    await answers(bobSide, `Alice ${lastNames[0]}`);
    await bothConnected(aliceSide, bobSide);
    // Each side shows the kind of path its selected candidate pair has (Firefox marks its pair
    // "selected"; Chromium names it in its transport report), and reports it for the log.
    await waitFor(bobSide, '.call-screen[data-path]');
    const path = await attributeOf(bobSide.page, '.call-screen', 'data-path');
    await mediaFlowsBothWays(aliceSide, bobSide);
    const code = await sameSecurityCode(aliceSide, bobSide);
    await chatBothWays(aliceSide, bobSide);
    await muteAndCameraRoundTrip(aliceSide, bobSide);
    await muteAndCameraRoundTrip(bobSide, aliceSide);
    await survivesDroppedSocket(...(dropped === 'caller' ? ([aliceSide, bobSide] as const) : ([bobSide, aliceSide] as const)));
    assert.is(await sameSecurityCode(aliceSide, bobSide), code);

    // The hang-up reaches the other side, on its new socket when it was the one that dropped.
    const [hangsUp, hearsIt, name] = dropped === 'caller' ? [bobSide, aliceSide, `Bob ${lastNames[1]}`] : [aliceSide, bobSide, `Alice ${lastNames[0]}`];
    await hangsUp.page.click('.call-button-hang-up');
    await memberSeesEnded(hearsIt, name);
    await memberSeesEnded(hangsUp, dropped === 'caller' ? `Alice ${lastNames[0]}` : `Bob ${lastNames[1]}`);
    await logShowsAnswered(bobSide, `Alice ${lastNames[0]}`);
    const logged = server.db.prepare("SELECT path FROM call_log WHERE member_id = ? AND outcome = 'answered'").pluck().get(bob.id);
    assert.ok(
      logged === path || logged === 'relayed',
      `the log keeps the path ${String(path)} (or relayed, if it went through the relay at any time): ${String(logged)}`,
    );
    noComplaints(aliceSide, bobSide);
  } finally {
    await aliceSide.close();
    await bobSide.close();
  }
}
