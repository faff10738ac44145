// The call's local media (public/ts/lib/call/local-media.ts) in real Chromium with its fake
// camera, microphones and screen: what is stopped, what the preview holds and which track is
// handed to the connection for each control. The connection is a recorder here; the call
// suites prove the same controls end to end.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, launchBrowser } from '../helpers/browser.js';
import { bundleForPage } from '../helpers/bundle.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import type { PageDevice, PageTrack } from '../helpers/page-types.js';

// Code passed to page.evaluate runs in the page; these name its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const navigator: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const document: any;

/** What the recorder was handed: the kind, and the track's id or null for "send nothing". */
type Sent = { kind: string; trackId: string | null };
/** One track of the preview stream. */
type TrackView = { id: string; kind: string; live: boolean; enabled: boolean };

const { suite: media, test } = browserSuite('LocalMedia in Chromium');

let browser: Browser;
let server: Server;
let origin = '';

media.before(async () => {
  const engine = await bundleForPage('lib/call/local-media.ts', 'Media');
  server = createServer((req, res) => {
    if (req.url === '/media.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(engine);
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'text/html' })
      .end('<!doctype html><title>media</title><script src="/media.js"></script><button id="share">share</button>');
  });
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 'the page server');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The fake screen picker chooses the whole screen by itself.
  browser = await launchBrowser(['--auto-select-desktop-capture-source=Entire screen']);
});

media.after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A page holding `window.media`, opened on the fake camera and microphone, sending to a recorder. */
async function openMedia(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(origin);
  await page.evaluate(async () => {
    const w = window;
    w.sent = [];
    w.handed = [];
    w.changes = 0;
    w.media = new w.Media.LocalMedia(await navigator.mediaDevices.getUserMedia({ audio: true, video: true }));
    w.media.sendTo({
      replaceTrack: async (kind: string, track: PageTrack | null) => {
        w.sent.push({ kind, trackId: track === null ? null : track.id });
        w.handed.push(track);
      },
    });
    w.media.onChange = () => (w.changes += 1);
    document.querySelector('#share').onclick = () => void w.media.toggleShare();
  });
  return page;
}

const preview = (page: Page): Promise<TrackView[]> =>
  page.evaluate(() => window.media.stream.getTracks().map((t: PageTrack) => ({ id: t.id, kind: t.kind, live: t.readyState === 'live', enabled: t.enabled })));
const sent = (page: Page): Promise<Sent[]> => page.evaluate(() => window.sent);
const flag = (page: Page, name: 'muted' | 'cameraOn' | 'sharing'): Promise<boolean> => page.evaluate((key) => window.media[key], name);
const videoOf = async (page: Page): Promise<TrackView | undefined> => (await preview(page)).find((track) => track.kind === 'video');

async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
  const page = await openMedia();
  try {
    await run(page);
  } finally {
    await page.context().close();
  }
}

test('camera off stops the camera and sends no video; on opens a new camera and sends it', () =>
  withPage(async (page) => {
    const first = await videoOf(page);
    assert.ok(first?.live);
    assert.ok(await flag(page, 'cameraOn'));
    await page.evaluate(() => window.media.toggleCamera());
    assert.not.ok(await flag(page, 'cameraOn'));
    assert.is(await videoOf(page), undefined);
    assert.equal(await sent(page), [{ kind: 'video', trackId: null }]);
    const stopped = await page.evaluate((id) => window.media.stream.getTrackById(id), first?.id);
    assert.is(stopped, null);

    await page.evaluate(() => window.media.toggleCamera());
    const second = await videoOf(page);
    assert.ok(second?.live);
    assert.is.not(second?.id, first?.id);
    assert.ok(await flag(page, 'cameraOn'));
    assert.equal((await sent(page)).at(-1), { kind: 'video', trackId: second?.id ?? '' });
  }));

test('mute disables the microphone without stopping it; another microphone keeps the mute', () =>
  withPage(async (page) => {
    await page.evaluate(() => window.media.toggleMute());
    assert.ok(await flag(page, 'muted'));
    const microphone = (await preview(page)).find((track) => track.kind === 'audio');
    assert.equal({ live: microphone?.live, enabled: microphone?.enabled }, { live: true, enabled: false });

    const other = await page.evaluate(async () => {
      const microphones = (await navigator.mediaDevices.enumerateDevices()).filter((device: PageDevice) => device.kind === 'audioinput');
      return microphones.at(-1).deviceId as string;
    });
    await page.evaluate((deviceId) => window.media.useMicrophone(deviceId), other);
    const audio = (await preview(page)).filter((track) => track.kind === 'audio');
    assert.is(audio.length, 1);
    assert.is.not(audio[0]?.id, microphone?.id);
    assert.equal({ live: audio[0]?.live, enabled: audio[0]?.enabled }, { live: true, enabled: false });
    assert.ok(await flag(page, 'muted'));
    assert.equal(await sent(page), [{ kind: 'audio', trackId: audio[0]?.id ?? '' }]);

    await page.evaluate(() => window.media.toggleMute());
    assert.not.ok(await flag(page, 'muted'));
  }));

test('sharing sends the screen instead of the camera and the camera again after, also when the browser ends it', () =>
  withPage(async (page) => {
    const camera = await videoOf(page);
    await page.click('#share');
    await waitUntil(() => flag(page, 'sharing'), 'the screen to be shared');
    await waitUntil(async () => (await sent(page)).length === 1, 'the screen track to be sent');
    const screenId = (await sent(page))[0]?.trackId;
    assert.ok(screenId !== null && screenId !== camera?.id);
    // The preview keeps the camera.
    assert.equal(await videoOf(page), camera);

    await page.click('#share');
    await waitUntil(async () => !(await flag(page, 'sharing')), 'the share to stop');
    await waitUntil(async () => (await sent(page)).length === 2, 'the camera to be sent again');
    assert.equal((await sent(page))[1], { kind: 'video', trackId: camera?.id ?? '' });

    // The browser's own "stop sharing" ends the track: the camera comes back and the screen hears of it.
    await page.click('#share');
    await waitUntil(async () => (await sent(page)).length === 3, 'the screen to be sent again');
    assert.is(await page.evaluate(() => window.changes), 0);
    await page.evaluate(() => window.handed.at(-1).dispatchEvent(new Event('ended')));
    await waitUntil(async () => (await sent(page)).length === 4, 'the camera to be sent after the browser ended the share');
    assert.equal((await sent(page))[3], { kind: 'video', trackId: camera?.id ?? '' });
    assert.not.ok(await flag(page, 'sharing'));
    assert.is(await page.evaluate(() => window.changes), 1);
  }));

test('turning the camera off while sharing keeps the screen going; the share then ends on no video', () =>
  withPage(async (page) => {
    await page.click('#share');
    await waitUntil(async () => (await sent(page)).length === 1, 'the screen track to be sent');
    await page.evaluate(() => window.media.toggleCamera());
    assert.equal((await sent(page)).length, 1);
    assert.not.ok(await flag(page, 'cameraOn'));
    await page.click('#share');
    await waitUntil(async () => (await sent(page)).length === 2, 'the share to stop');
    assert.equal((await sent(page))[1], { kind: 'video', trackId: null });
  }));

test('stop ends every track; a camera that opens after the end is stopped at once and never sent', () =>
  withPage(async (page) => {
    await page.evaluate(() => window.media.toggleCamera());
    const before = (await sent(page)).length;
    await page.evaluate(() => {
      const w = window;
      // The camera is asked for, and the call ends while it opens.
      w.opening = w.media.toggleCamera();
      w.media.stop();
      return w.opening;
    });
    assert.ok((await preview(page)).every((track) => !track.live));
    assert.is((await sent(page)).length, before);
  }));

media.run();
