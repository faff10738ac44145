// The browser call engine (public/ts/lib/call/connection.ts) in real Chromium: two pages with
// fake camera and microphone, their signaling carried by the test, a real peer-to-peer call.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, launchBrowser } from '../helpers/browser.js';
import { bundleForPage } from '../helpers/bundle.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import type { PageSignal, PageStats } from '../helpers/page-types.js';

// Code passed to page.evaluate runs in the page; these name its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const navigator: any;

const CONNECT_TIMEOUT_MS = 15_000;
const { suite: calls, test } = browserSuite('CallConnection in Chromium');

let browser: Browser;
let server: Server;
let origin = '';

calls.before(async () => {
  const engine = await bundleForPage('lib/call/connection.ts', 'Engine');
  server = createServer((req, res) => {
    if (req.url === '/engine.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(engine);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>call</title><script src="/engine.js"></script>');
  });
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 'the page server');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

calls.after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

type Side = { page: Page; close(): Promise<void> };

/** Opens one page per side, wires their signaling through the test, and starts the call. */
async function startCall(): Promise<{ caller: Side; callee: Side }> {
  const open = async (): Promise<Page> => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(origin);
    return page;
  };
  const [callerPage, calleePage] = await Promise.all([open(), open()]);
  const wire = async (from: Page, to: Page): Promise<void> => {
    await from.exposeFunction('deliver', (message: unknown) => to.evaluate((m) => window.receive(m), message));
  };
  await wire(callerPage, calleePage);
  await wire(calleePage, callerPage);
  const setUp = (page: Page, polite: boolean) =>
    page.evaluate(async (isPolite) => {
      const w = window;
      w.chat = [];
      w.phases = [];
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      w.localStream = stream;
      const connection = new w.Engine.CallConnection({
        rtcConfig: {},
        polite: isPolite,
        send: (message: unknown) => w.deliver(message),
        onChat: (message: unknown) => w.chat.push(message),
        onPhase: (phase: string) => w.phases.push(phase),
      });
      w.connection = connection;
      w.receive = (message: PageSignal) =>
        message.kind === 'description' ? connection.handleDescription(message.description) : connection.handleCandidate(message.candidate);
      return true;
    }, polite);
  await setUp(calleePage, true);
  await setUp(callerPage, false);
  // The caller adds its media first; the callee answers with its own.
  await callerPage.evaluate(() => window.connection.addLocalStream(window.localStream));
  await calleePage.evaluate(() => window.connection.addLocalStream(window.localStream));
  const side = (page: Page): Side => ({ page, close: () => page.context().close() });
  return { caller: side(callerPage), callee: side(calleePage) };
}

const connectionState = (page: Page) => page.evaluate(() => window.connection.pc.connectionState as string);
const inboundBytes = (page: Page) =>
  page.evaluate(async () => {
    const stats = await window.connection.pc.getStats();
    const bytes: Record<string, number> = { audio: 0, video: 0 };
    stats.forEach((report: PageStats) => {
      if (report.type === 'inbound-rtp') bytes[report.kind] = (bytes[report.kind] ?? 0) + report.bytesReceived;
    });
    return bytes;
  });

async function waitConnected(...pages: Page[]): Promise<void> {
  for (const page of pages) await waitUntil(async () => (await connectionState(page)) === 'connected', 'a connected call', CONNECT_TIMEOUT_MS);
}

async function waitMediaGrowing(page: Page): Promise<void> {
  const before = await inboundBytes(page);
  await waitUntil(
    async () => {
      const now = await inboundBytes(page);
      return (now['audio'] ?? 0) > (before['audio'] ?? 0) && (now['video'] ?? 0) > (before['video'] ?? 0);
    },
    'audio and video bytes to grow',
    CONNECT_TIMEOUT_MS,
  );
}

test('connects two browsers directly, each receiving the other’s audio and video', async () => {
  const { caller, callee } = await startCall();
  try {
    await waitConnected(caller.page, callee.page);
    await waitMediaGrowing(caller.page);
    await waitMediaGrowing(callee.page);
    const path = await caller.page.evaluate(() => window.connection.path());
    assert.equal(path, { kind: 'direct', local: 'host', remote: 'host' });
    assert.ok((await caller.page.evaluate(() => window.phases)).includes('connected'));
  } finally {
    await caller.close();
    await callee.close();
  }
});

test('carries chat over the data channel both ways and refuses what is too long', async () => {
  const { caller, callee } = await startCall();
  try {
    await waitConnected(caller.page, callee.page);
    await waitUntil(() => caller.page.evaluate(() => window.connection.sendChat('  bonjour  ')), 'the chat channel to open', CONNECT_TIMEOUT_MS);
    assert.ok(await callee.page.evaluate(() => window.connection.sendChat('hello back')));
    assert.not.ok(await caller.page.evaluate(() => window.connection.sendChat('x'.repeat(2001))));
    await waitUntil(async () => (await callee.page.evaluate(() => window.chat.length)) === 1, 'the message to arrive');
    await waitUntil(async () => (await caller.page.evaluate(() => window.chat.length)) === 1, 'the reply to arrive');
    const received = await callee.page.evaluate(() => window.chat[0]);
    assert.is(received.text, 'bonjour');
    assert.ok(!Number.isNaN(Date.parse(received.sentAt)));
  } finally {
    await caller.close();
    await callee.close();
  }
});

const iceUfrags = (page: Page) =>
  page.evaluate(() => {
    const pc = window.connection.pc;
    const ufrag = (sdp: string | undefined) => /^a=ice-ufrag:(\S+)/m.exec(sdp ?? '')?.[1] ?? null;
    return { local: ufrag(pc.localDescription?.sdp), remote: ufrag(pc.remoteDescription?.sdp) };
  });

test('both sides asking for an ICE restart at once restart once, without a collision, and media flows both ways', async () => {
  const { caller, callee } = await startCall();
  try {
    await waitConnected(caller.page, callee.page);
    await waitMediaGrowing(caller.page);
    const before = await iceUfrags(caller.page);
    // Record every offer the polite side makes from now on: it must make none.
    await callee.page.evaluate(() => {
      const w = window;
      w.offersMade = 0;
      const original = w.deliver;
      w.deliver = (message: PageSignal) => {
        if (message.kind === 'description' && message.description.type === 'offer') w.offersMade += 1;
        return original(message);
      };
    });
    await Promise.all([caller.page.evaluate(() => window.connection.restartIce()), callee.page.evaluate(() => window.connection.restartIce())]);
    await waitUntil(
      async () => {
        const now = await iceUfrags(caller.page);
        return now.local !== before.local && now.remote !== before.remote;
      },
      'both sides to have new ICE credentials',
      CONNECT_TIMEOUT_MS,
    );
    await waitConnected(caller.page, callee.page);
    await waitMediaGrowing(callee.page);
    await waitMediaGrowing(caller.page);
    assert.is(await callee.page.evaluate(() => window.offersMade), 0, 'the polite side left the restart to the other side');
  } finally {
    await caller.close();
    await callee.close();
  }
});

test('the polite side restarts ICE itself when the other side does not', async () => {
  const { caller, callee } = await startCall();
  try {
    await waitConnected(caller.page, callee.page);
    const before = await iceUfrags(callee.page);
    await callee.page.evaluate(() => window.connection.restartIce());
    await waitUntil(async () => (await iceUfrags(callee.page)).local !== before.local, 'the polite side’s own restart', CONNECT_TIMEOUT_MS);
    await waitConnected(caller.page, callee.page);
    await waitMediaGrowing(callee.page);
    await waitMediaGrowing(caller.page);
  } finally {
    await caller.close();
    await callee.close();
  }
});

test('keeps sending video after the camera track is replaced', async () => {
  const { caller, callee } = await startCall();
  try {
    await waitConnected(caller.page, callee.page);
    await caller.page.evaluate(async () => {
      const w = window;
      const fresh = await navigator.mediaDevices.getUserMedia({ video: true });
      const [track] = fresh.getVideoTracks();
      await w.connection.replaceTrack('video', track, fresh);
      for (const old of w.localStream.getVideoTracks()) old.stop();
    });
    await waitMediaGrowing(callee.page);
  } finally {
    await caller.close();
    await callee.close();
  }
});

/** One side alone: a connection with the given configuration, its phases kept on window.phases. */
async function lonePhases(rtcConfig: Record<string, unknown>, firstConnectDeadlineMs: number): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(origin);
  await page.evaluate(
    async ({ config, deadline }) => {
      const w = window;
      w.phases = [];
      w.connection = new w.Engine.CallConnection({
        rtcConfig: config,
        polite: false,
        send: () => {},
        onPhase: (phase: string) => w.phases.push(phase),
        firstConnectDeadlineMs: deadline,
      });
      w.connection.addLocalStream(await navigator.mediaDevices.getUserMedia({ audio: true, video: false }));
    },
    { config: rtcConfig, deadline: firstConnectDeadlineMs },
  );
  return { page, close: () => context.close() };
}

const phasesOf = (page: Page): Promise<string[]> => page.evaluate(() => window.phases);

test('a relay-only call whose relay cannot be reached says it cannot connect once gathering ends with nothing', async () => {
  // TCP to port 9 on loopback: nothing listens, so the relay is refused at once; the deadline is far.
  const unreachable = {
    iceTransportPolicy: 'relay',
    iceServers: [{ urls: ['turn:127.0.0.1:9?transport=tcp'], username: 'u', credential: 'p' }],
  };
  const side = await lonePhases(unreachable, 10 * 60_000);
  try {
    await waitUntil(async () => (await phasesOf(side.page)).includes('failed'), 'the phase "failed"', CONNECT_TIMEOUT_MS);
    assert.not.ok((await phasesOf(side.page)).includes('reconnecting'), 'never "reconnecting" before a first connection');
  } finally {
    await side.close();
  }
});

test('a call that has not connected by the deadline says it cannot connect, though it has candidates', async () => {
  // Host candidates but nobody on the other side: only the deadline can tell.
  const side = await lonePhases({}, 1500);
  try {
    await waitUntil(async () => (await phasesOf(side.page)).includes('failed'), 'the phase "failed" at the deadline', CONNECT_TIMEOUT_MS);
    assert.is(await side.page.evaluate(() => window.connection.pc.iceGatheringState), 'complete', 'candidates were gathered');
  } finally {
    await side.close();
  }
});

calls.run();
