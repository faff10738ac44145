// The call pages in real Chromium against the real server (HTTP, signaler, embedded TURN
// relay): a guest rings a member from the member's link, a member rings a member from the
// directory, and declined and missed calls land in the log. Fake camera and microphone.
//
// Set PORTHELLO_SCREENSHOTS=<dir> to keep a screenshot of each state reached.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp, type TestMember } from '../accounts/helpers.js';
import { browserSuite, launchBrowser } from '../helpers/browser.js';
import { logInOnCallsPage, RECORD_PEER_CONNECTIONS, RECORD_WEBSOCKETS, waitMediaGrowing } from '../helpers/call-pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { WELCOME_WAIT_MS } from '../../public/ts/lib/call/phone.js';
import { CLOSE_CODES } from '../../server/signal/protocol.js';
import type { PageStream } from '../helpers/page-types.js';

// Code passed to page.evaluate runs in the page; these name its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;

/** Connecting through the relay takes about a second; media then flows within a few. */
const BROWSER_WAIT_MS = 15_000;
/** A range of its own, apart from the other relay suites'. */
const RELAY_PORTS = { min: 52300, max: 52399 };
const SCREENSHOT_DIR = process.env['PORTHELLO_SCREENSHOTS'];

const { suite: calls, test } = browserSuite('call pages in Chromium');

let server: TestServer;
let browser: Browser;

calls.before(async () => {
  // These pages ring the same member again right after a decline and show each call as its own
  // log entry: the ring cool-down and the merging of repeats (tested in test/calls and
  // test/signal) are off here.
  const separateCalls = { PORTHELLO_RING_COOLDOWN_S: '0', PORTHELLO_CALL_LOG_REPEAT_MINUTES: '0' };
  server = await startTestServer({ env: { ...FAST_BCRYPT, ...separateCalls }, signaling: true, turnRelayPorts: RELAY_PORTS });
  browser = await withTimeout(launchBrowser(), 'Chromium to start', BROWSER_WAIT_MS);
  if (SCREENSHOT_DIR !== undefined) mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

calls.after(async () => {
  await browser?.close();
  await server?.close();
});

async function openContext(locale: string, viewport = { width: 390, height: 844 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, viewport });
  await context.addInitScript(RECORD_PEER_CONNECTIONS);
  await context.addInitScript(RECORD_WEBSOCKETS);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  return { context, page };
}

/** Logs the member in from the page itself (the browser keeps the cookie) and opens /calls. */
async function memberOnCallsPage(member: TestMember, locale = 'en-GB'): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await openContext(locale);
  await logInOnCallsPage(opened.page, server.url, member, BROWSER_WAIT_MS);
  return opened;
}

async function callLinkOf(page: Page): Promise<string> {
  await waitUntil(async () => (await page.inputValue('#call-link')) !== '', 'the call link to show', BROWSER_WAIT_MS);
  return page.inputValue('#call-link');
}

/** The relay username of the connection a ringing page made for the call (warm-up.ts). */
async function ringingRelayUser(page: Page): Promise<string> {
  await waitUntil(async () => (await page.evaluate(() => window.__pcs.length)) === 1, "the ringing page to make the call's connection", BROWSER_WAIT_MS);
  return page.evaluate(() => String(window.__pcs[0].getConfiguration().iceServers[0].username));
}

async function shot(page: Page, name: string): Promise<void> {
  if (SCREENSHOT_DIR === undefined) return;
  const { width } = page.viewportSize() ?? { width: 0 };
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`) });
  // The same state on a desktop screen.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-1280.png`) });
  await page.setViewportSize({ width: 390, height: 844 });
}

test('a guest rings a member from the link; they talk, chat and hang up; the log shows the answered call', async () => {
  const member = await signUp(server, { firstName: 'Marie', lastName: 'Curie' });
  const callee = await memberOnCallsPage(member);
  const guest = await openContext('fr-FR');
  try {
    const link = await callLinkOf(callee.page);
    assert.match(link, new RegExp(`^${server.url}/c/[A-Za-z0-9_-]{22}$`));
    await callee.page.locator('#log-empty:not([hidden])').waitFor();
    await shot(callee.page, 'calls-idle');

    await guest.page.goto(link);
    assert.is(await guest.page.locator('h1').textContent(), 'Appeler Marie');
    await shot(guest.page, 'guest-idle');
    // The name is required, said next to the field.
    await guest.page.getByRole('button', { name: 'Appeler', exact: true }).click();
    await guest.page.locator('#display-name-error:not([hidden])').waitFor();
    assert.is(await guest.page.getAttribute('#display-name', 'aria-invalid'), 'true');
    await guest.page.getByLabel('Votre nom').fill('Paul Langevin');
    await guest.page.getByRole('button', { name: 'Appeler', exact: true }).click();

    const dialog = callee.page.locator('#incoming-dialog[open]');
    await dialog.waitFor();
    assert.is(await callee.page.locator('#incoming-who').textContent(), 'Paul Langevin');
    assert.match((await callee.page.locator('#incoming-note').textContent()) ?? '', /guest/);
    await guest.page.locator('#guest-calling-status', { hasText: 'Ça sonne chez Marie' }).waitFor();
    await shot(callee.page, 'calls-incoming');
    await shot(guest.page, 'guest-ringing');
    await callee.page.getByRole('button', { name: 'Answer' }).click();

    for (const side of [callee.page, guest.page]) await side.locator('.call-screen[data-phase="connected"]').waitFor();
    // Calls from a link are relay-only: the member's address never reaches the guest.
    for (const side of [callee.page, guest.page]) await side.locator('.call-screen[data-path="relayed"]').waitFor();
    await waitMediaGrowing(callee.page, 'the member', BROWSER_WAIT_MS);
    await waitMediaGrowing(guest.page, 'the guest', BROWSER_WAIT_MS);
    await shot(callee.page, 'calls-in-call');

    await callee.page.getByRole('button', { name: 'Chat' }).click();
    await callee.page.getByLabel('Your message').fill('Bonjour Paul');
    await callee.page.keyboard.press('Enter');
    await guest.page.locator('.call-button-chat[data-unread="1"]').waitFor();
    await guest.page.getByRole('button', { name: 'Discussion' }).click();
    await guest.page.locator('.chat-log .chat-theirs .chat-text', { hasText: 'Bonjour Paul' }).waitFor({ state: 'visible' });
    await shot(guest.page, 'guest-in-call-chat');

    await guest.page.getByRole('button', { name: 'Raccrocher' }).click();
    await guest.page.locator('#guest-ended:not([hidden])').waitFor();
    assert.match((await guest.page.locator('#guest-ended-text').textContent()) ?? '', /Appel avec Marie terminé/);
    await callee.page.locator('#call-notice:not([hidden])', { hasText: 'Call with Paul Langevin ended' }).waitFor();
    const entry = callee.page.locator('#call-log .call-entry').first();
    await entry.locator('.call-entry-name', { hasText: 'Paul Langevin (guest)' }).waitFor();
    assert.is(await entry.getAttribute('data-outcome'), 'answered');
    // Both browsers reported the relayed path: the log row keeps it for the statistics.
    assert.is(server.db.prepare("SELECT path FROM call_log WHERE outcome = 'answered' ORDER BY id DESC LIMIT 1").pluck().get(), 'relayed');
    assert.match((await entry.locator('.call-outcome').textContent()) ?? '', /^Answered · \d+ s$/);
    assert.not.ok(await callee.page.locator('.call-screen').count(), 'the call screen is gone');
    await shot(callee.page, 'calls-ended');
    await shot(guest.page, 'guest-ended');
  } finally {
    await guest.context.close();
    await callee.context.close();
  }
});

/** Each way a guest's signaling socket can fail before the welcome: closed for good at once, or failing every retry until the invite's wait is over. */
const REFUSED_SOCKETS = [
  { code: CLOSE_CODES.sessionEnded, how: 'is refused for good', retried: false },
  { code: CLOSE_CODES.internalError, how: 'fails on every retry until the invite stops waiting', retried: true },
];

for (const { code, how, retried } of REFUSED_SOCKETS) {
  test(`a guest whose signaling socket ${how} is told it could not connect; the camera goes off; no one is rung`, async () => {
    const member = await signUp(server, { firstName: 'Irène', lastName: 'Joliot' });
    const callee = await memberOnCallsPage(member);
    const guest = await openContext('en-GB');
    try {
      const link = await callLinkOf(callee.page);
      let attempts = 0;
      await guest.page.routeWebSocket(/\/ws/, (socket) => {
        attempts += 1;
        socket.close({ code, reason: 'refused by the test' });
      });
      await guest.page.addInitScript(() => {
        const w = window;
        w.openedStreams = [];
        const open = w.navigator.mediaDevices.getUserMedia.bind(w.navigator.mediaDevices);
        w.navigator.mediaDevices.getUserMedia = async (constraints: unknown) => {
          const stream = await open(constraints);
          w.openedStreams.push(stream);
          return stream;
        };
      });
      await guest.page.goto(link);
      await guest.page.getByLabel('Your name').fill('Frédéric');
      await guest.page.getByRole('button', { name: 'Call', exact: true }).click();
      await guest.page.locator('#guest-ended:not([hidden])').waitFor({ timeout: WELCOME_WAIT_MS + BROWSER_WAIT_MS });
      assert.is(await guest.page.locator('#guest-ended-text').textContent(), 'Could not connect to the server. Try again.');
      const tracks: string[] = await guest.page.evaluate(() =>
        window.openedStreams.flatMap((stream: PageStream) => stream.getTracks().map((track) => track.readyState)),
      );
      assert.ok(tracks.length > 0);
      const live = tracks.filter((state) => state !== 'ended');
      assert.is(live.length, 0, 'every track stopped');
      assert.is(attempts > 1, retried, `${attempts} socket attempts`);
      assert.is(await callee.page.locator('#incoming-dialog[open]').count(), 0);
    } finally {
      await guest.context.close();
      await callee.context.close();
    }
  });
}

test('a member calls another member from the directory, both see and hear each other', async () => {
  const alice = await signUp(server, { firstName: 'Alice', lastName: 'Martin' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const bobSide = await memberOnCallsPage(bob);
  const aliceSide = await memberOnCallsPage(alice, 'fr-FR');
  try {
    await aliceSide.page.getByRole('button', { name: 'Appeler Bob Durand' }).click();
    await aliceSide.page.locator('#outgoing:not([hidden])').waitFor();
    await bobSide.page.locator('#incoming-dialog[open]').waitFor();
    assert.is(await bobSide.page.locator('#incoming-who').textContent(), 'Alice Martin');
    await aliceSide.page.locator('#outgoing-status', { hasText: 'Ça sonne' }).waitFor();
    await shot(aliceSide.page, 'calls-outgoing');
    // While it rings, the callee's page already has the call's connection, gathering with the
    // call's relay servers: its relay allocation exists before Answer.
    const username = await ringingRelayUser(bobSide.page);
    await waitUntil(() => (server.turn?.allocationCount(username) ?? 0) > 0, 'a relay allocation while it rings', BROWSER_WAIT_MS);
    // The caller's page has its connection too, with its own relay allocation and its offer set;
    // neither its offer nor a candidate has left the page.
    const callerUsername = await ringingRelayUser(aliceSide.page);
    assert.is.not(callerUsername, username);
    await waitUntil(() => (server.turn?.allocationCount(callerUsername) ?? 0) > 0, "the caller's relay allocation while it rings", BROWSER_WAIT_MS);
    assert.is(await aliceSide.page.evaluate(() => window.__pcs[0].signalingState), 'have-local-offer');
    const signaled = (page: Page) => page.evaluate(() => window.__sent.filter((text: string) => /"type":"(offer|answer|candidate)"/.test(text)).length);
    assert.is(await signaled(aliceSide.page), 0, 'nothing signaled before the answer');
    await bobSide.page.getByRole('button', { name: 'Answer' }).click();

    for (const side of [aliceSide.page, bobSide.page]) await side.locator('.call-screen[data-phase="connected"]').waitFor();
    assert.is(await bobSide.page.evaluate(() => window.__pcs.length), 1, 'the call took over the connection made while it rang');
    assert.is(await aliceSide.page.evaluate(() => window.__pcs.length), 1, "the call took over the caller's connection and offer");
    assert.ok((await signaled(aliceSide.page)) > 0);
    await bobSide.page.locator('.call-screen[data-path]').waitFor();
    const path = await bobSide.page.getAttribute('.call-screen', 'data-path');
    await waitMediaGrowing(aliceSide.page, 'the caller', BROWSER_WAIT_MS);
    await waitMediaGrowing(bobSide.page, 'the callee', BROWSER_WAIT_MS);
    assert.ok(await aliceSide.page.locator('#outgoing').isHidden(), 'the calling panel is gone');

    await aliceSide.page.getByRole('button', { name: 'Raccrocher' }).click();
    await bobSide.page.locator('#call-notice:not([hidden])', { hasText: 'Call with Alice Martin ended' }).waitFor();
    const entry = bobSide.page.locator('#call-log .call-entry').first();
    await entry.locator('.call-entry-name', { hasText: 'Alice Martin' }).waitFor();
    assert.is(await entry.getAttribute('data-outcome'), 'answered');
    // The path the screens showed (direct here, on one machine) is what the log keeps.
    assert.is(server.db.prepare("SELECT path FROM call_log WHERE member_id = ? AND outcome = 'answered'").pluck().get(bob.id), path);
    // A call from a member can be returned from the log.
    assert.ok(await entry.getByRole('button', { name: 'Call back Alice Martin' }).isEnabled());
  } finally {
    await aliceSide.context.close();
    await bobSide.context.close();
  }
});

for (const dropped of ['callee', 'caller'] as const) {
  test(`a call survives the ${dropped}'s dropped signaling socket: the page reconnects, resumes the call and media keeps flowing both ways`, async () => {
    // Each variant has its own members: the directory lists every member of the suite.
    const [aliceLast, bobLast] = dropped === 'callee' ? ['Roux', 'Petit'] : ['Blanc', 'Lefort'];
    const alice = await signUp(server, { firstName: 'Alice', lastName: aliceLast });
    const bob = await signUp(server, { firstName: 'Bob', lastName: bobLast });
    const bobSide = await memberOnCallsPage(bob);
    const aliceSide = await memberOnCallsPage(alice);
    try {
      await aliceSide.page.getByRole('button', { name: `Call Bob ${bobLast}` }).click();
      await bobSide.page.locator('#incoming-dialog[open]').waitFor();
      await bobSide.page.getByRole('button', { name: 'Answer' }).click();
      for (const side of [aliceSide.page, bobSide.page]) await side.locator('.call-screen[data-phase="connected"]').waitFor();

      // One side's network drops the signaling connection; the media path is untouched.
      const [droppedSide, otherSide] = dropped === 'callee' ? [bobSide, aliceSide] : [aliceSide, bobSide];
      await droppedSide.page.evaluate(() => window.__sockets.at(-1).close());
      await waitUntil(async () => (await droppedSide.page.evaluate(() => window.__sockets.length)) === 2, 'a new socket', BROWSER_WAIT_MS);
      await droppedSide.page.locator('#signal-status[data-state="open"]').waitFor();
      assert.ok(await droppedSide.page.locator('.call-screen').isVisible(), 'the call is still on screen');
      // The resume restarts ICE; media must flow both ways on the new path.
      await waitUntil(
        async () => (await droppedSide.page.evaluate(() => window.__pcs.at(-1).signalingState)) === 'stable',
        'a stable negotiation',
        BROWSER_WAIT_MS,
      );
      await waitMediaGrowing(droppedSide.page, 'the member whose socket dropped', BROWSER_WAIT_MS);
      await waitMediaGrowing(otherSide.page, 'the other member', BROWSER_WAIT_MS);

      // The call is bound to the new socket: the other side's hang-up reaches it there.
      const otherName = dropped === 'callee' ? `Alice ${aliceLast}` : `Bob ${bobLast}`;
      await otherSide.page.getByRole('button', { name: 'Hang up' }).click();
      await droppedSide.page.locator('#call-notice:not([hidden])', { hasText: `Call with ${otherName} ended` }).waitFor();
      assert.is(await droppedSide.page.evaluate(() => window.__sockets.at(-1).readyState), 1, 'the new socket stays open');
    } finally {
      await aliceSide.context.close();
      await bobSide.context.close();
    }
  });
}

test('a declined call and a missed call appear as such in the log, the missed one highlighted until seen', async () => {
  const member = await signUp(server, { firstName: 'Irène', lastName: 'Joliot' });
  const callee = await memberOnCallsPage(member);
  const guest = await openContext('en-GB');
  try {
    await guest.page.goto(await callLinkOf(callee.page));
    await guest.page.getByLabel('Your name').fill('Frédéric');
    await guest.page.getByRole('button', { name: 'Call', exact: true }).click();
    await callee.page.locator('#incoming-dialog[open]').waitFor();
    const username = await ringingRelayUser(callee.page);
    await waitUntil(() => (server.turn?.allocationCount(username) ?? 0) > 0, 'a relay allocation while it rings', BROWSER_WAIT_MS);
    const guestUsername = await ringingRelayUser(guest.page);
    await waitUntil(() => (server.turn?.allocationCount(guestUsername) ?? 0) > 0, "the guest's relay allocation while it rings", BROWSER_WAIT_MS);
    await callee.page.getByRole('button', { name: 'Decline' }).click();
    await guest.page.locator('#guest-ended-text', { hasText: 'Irène declined the call.' }).waitFor();
    // The guest's connection prepared while it rang is closed too.
    assert.is(await guest.page.evaluate(() => window.__pcs[0].signalingState), 'closed');
    await waitUntil(() => server.turn?.allocationCount(guestUsername) === 0, "the guest's relay allocation to go", BROWSER_WAIT_MS);
    // Declined: the connection made while it rang is closed, and the call's relay credential with it.
    await waitUntil(
      async () => (await callee.page.evaluate(() => window.__pcs[0].signalingState)) === 'closed',
      'the ringing connection to close',
      BROWSER_WAIT_MS,
    );
    await waitUntil(() => server.turn?.allocationCount(username) === 0, 'the relay allocation to go', BROWSER_WAIT_MS);
    await callee.page.locator('#call-log .call-entry[data-outcome="declined"]').waitFor();

    // Call again, then give up before the member answers: a missed call.
    await guest.page.getByRole('button', { name: 'Call again' }).click();
    await callee.page.locator('#incoming-dialog[open]').waitFor();
    await guest.page.getByRole('button', { name: 'Cancel the call' }).click();
    await callee.page.locator('#incoming-dialog[open]').waitFor({ state: 'detached' });
    assert.ok(
      await guest.page.evaluate(() => window.__pcs.every((pc: { signalingState: string }) => pc.signalingState === 'closed')),
      'a cancelled call leaves no connection open on the caller',
    );
    await callee.page.locator('#call-notice', { hasText: 'Missed call from Frédéric' }).waitFor();
    assert.ok(
      await callee.page.evaluate(() => window.__pcs.every((pc: { signalingState: string }) => pc.signalingState === 'closed')),
      'a missed call leaves no connection open',
    );
    const missed = callee.page.locator('#call-log .call-entry').first();
    await waitUntil(async () => (await missed.getAttribute('data-outcome')) === 'missed', 'the missed call at the top of the log', BROWSER_WAIT_MS);
    assert.is(await missed.getAttribute('data-new'), '', 'highlighted as new');
    assert.ok(await missed.locator('.badge-new').isVisible());
    assert.is(await callee.page.locator('#call-log .call-entry').count(), 2);
    await shot(callee.page, 'calls-log');

    // Shown once: the server now counts it seen, and it is no longer highlighted.
    await waitUntil(
      async () =>
        (await server.fetch('/api/calls', { headers: { Cookie: member.cookie } }).then((r) => r.json() as Promise<{ unseenMissed: number }>)).unseenMissed ===
        0,
      'the log to be marked seen',
      BROWSER_WAIT_MS,
    );
    await callee.page.reload();
    await callee.page.locator('#call-log .call-entry[data-outcome="missed"]').waitFor();
    assert.is(await callee.page.locator('#call-log .call-entry[data-new]').count(), 0);

    // Entries can be deleted one by one (hidden at once, gone once the undo time is over).
    await callee.page
      .getByRole('button', { name: /^Delete the call from Frédéric \(guest\)/ })
      .first()
      .click();
    await waitUntil(async () => (await callee.page.locator('#call-log .call-entry:not([hidden])').count()) === 1, 'one entry to be left', BROWSER_WAIT_MS);
  } finally {
    await guest.context.close();
    await callee.context.close();
  }
});

test('a dead link answers the link-gone page and /calls sends visitors to log in', async () => {
  const dead = await server.fetch('/c/AAAAAAAAAAAAAAAAAAAAAA');
  assert.is(dead.status, 404);
  assert.match(await dead.text(), /Ce lien ne fonctionne plus|This link no longer works/);
  const visitor = await server.fetch('/calls');
  assert.is(visitor.status, 302);
  assert.is(visitor.headers.get('location'), '/login');
});

calls.run();
