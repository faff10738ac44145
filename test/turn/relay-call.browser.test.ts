/// <reference lib="dom" />
// Two real Chromium peers, relay-only, through the embedded relay on loopback, held past the
// failure modes node-turn 0.0.6 had (unsigned ChannelBind answers: dead at ~40 s; broken
// Refresh: dead at the first refresh). The allocation lifetime is 40 s, so Chromium refreshes
// it every 20 s: a 70 s call lives through three refreshes and past two lifetimes. Then the
// call's credentials are revoked and stop working. No loopback allow-list: two relay-only
// browsers reach each other relay port to relay port, the path a real relay-only call takes.
// The same call also connects over TURN/TCP alone and over TURN/TLS alone.
// Needs /usr/bin/chromium (apt-get install -y chromium) and openssl. Relay ports: 50400-50499.
import * as assert from 'uvu/assert';
import { makeCertificate } from '../helpers/certificate.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, hasChromium, launchBrowser } from '../helpers/browser.js';
import { silentLogger } from '../../server/log.js';
import { createEmbeddedCredentials, embeddedTurnUrls, type IceConfiguration } from '../../server/turn/credentials.js';
import type { Relay } from '../../server/turn/relay.js';
import { startTestRelay } from '../helpers/relay.js';
import { TurnClient } from '../../server/turn/client.js';
import { waitUntil } from '../helpers/wait.js';
import { sleep, withTimeout } from './helpers/node-turn-fixture.js';
import { first } from '../helpers/values.js';

/** Chromium validates a TURN server's TLS certificate (as production needs); this suite's
 *  certificate is a throw-away self-signed one. */
const TRUST_TEST_CERTIFICATE = ['--ignore-certificate-errors'];
const ALLOCATION_LIFETIME_S = 40;
const HOLD_MS = 70_000;
const CHECK_EVERY_MS = 10_000;
const CONNECT_TIMEOUT_MS = 20_000;
const GATHER_TIMEOUT_MS = 10_000;
const AFTER_REVOKE_TIMEOUT_MS = 20_000;
/** Video frames arrive many times a second on a connected call: more bytes well within this. */
const VIDEO_FLOW_TIMEOUT_MS = 10_000;

/** Waits until the callee has received more video than `since` bytes; returns its path then. */
async function videoFlowsPast(page: Page, since: number): Promise<PathStats> {
  let latest: PathStats | null = null;
  await waitUntil(
    async () => {
      latest = await pathStats(page);
      return latest.bytesReceived > since;
    },
    'more video to arrive',
    VIDEO_FLOW_TIMEOUT_MS,
  );
  if (latest === null) throw new Error('no stats were read');
  return latest;
}

type Side = { page: Page; config: IceConfiguration };

/** Runs in the page: a peer connection with fake audio and video, exposed as window.pc. */
async function setUpPeer(page: Page, config: IceConfiguration, caller: boolean): Promise<void> {
  await page.evaluate(
    async ({ config, caller }) => {
      const w = window as unknown as Record<string, unknown>;
      const pc = new RTCPeerConnection({
        iceServers: config.iceServers as RTCIceServer[],
        iceTransportPolicy: config.iceTransportPolicy,
        bundlePolicy: 'max-bundle',
      });
      w.pc = pc;
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      const echo = (channel: RTCDataChannel): void => {
        w.channel = channel;
        channel.onmessage = (event) => {
          if (!caller) channel.send(`echo:${String(event.data)}`);
          else w.lastEcho = event.data;
        };
      };
      if (caller) echo(pc.createDataChannel('chat'));
      else pc.ondatachannel = (event) => echo(event.channel);
    },
    { config, caller },
  );
}

/** Sets the local description and waits for ICE gathering to complete (no trickle needed). */
async function localDescription(page: Page, kind: 'offer' | 'answer', remote: string | null): Promise<string> {
  return page.evaluate(
    async ({ kind, remote, timeoutMs }) => {
      const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
      if (remote !== null) await pc.setRemoteDescription({ type: kind === 'answer' ? 'offer' : 'answer', sdp: remote });
      const description = kind === 'offer' ? await pc.createOffer() : await pc.createAnswer();
      await pc.setLocalDescription(description);
      await new Promise<void>((resolve, reject) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        const timer = setTimeout(() => reject(new Error('ICE gathering did not complete')), timeoutMs);
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      return pc.localDescription?.sdp ?? '';
    },
    { kind, remote, timeoutMs: GATHER_TIMEOUT_MS },
  );
}

type PathStats = { state: string; localType: string | null; remoteType: string | null; relayProtocol: string | null; bytesReceived: number };

function pathStats(page: Page): Promise<PathStats> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
    const stats = await pc.getStats();
    let pairId: string | null = null;
    let bytesReceived = 0;
    stats.forEach((report: { type: string; selectedCandidatePairId?: string; bytesReceived?: number; kind?: string }) => {
      if (report.type === 'transport' && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
      if (report.type === 'inbound-rtp' && report.kind === 'video') bytesReceived += report.bytesReceived ?? 0;
    });
    const pair = pairId === null ? undefined : (stats.get(pairId) as { localCandidateId: string; remoteCandidateId: string } | undefined);
    const type = (id: string | undefined): string | null =>
      id === undefined ? null : ((stats.get(id) as { candidateType?: string } | undefined)?.candidateType ?? null);
    const local = pair === undefined ? undefined : (stats.get(pair.localCandidateId) as { relayProtocol?: string } | undefined);
    return {
      state: pc.connectionState,
      localType: type(pair?.localCandidateId),
      remoteType: type(pair?.remoteCandidateId),
      relayProtocol: local?.relayProtocol ?? null,
      bytesReceived,
    };
  });
}

async function waitFor(page: Page, predicate: string, timeoutMs: number): Promise<void> {
  await page.waitForFunction(predicate, undefined, { timeout: timeoutMs, polling: 200 });
}

const { suite: call, test } = browserSuite('relay-only browser call through the embedded relay');

let relay: Relay | null = null;
let browser: Browser | null = null;
let http: Server | null = null;

call.after(async () => {
  await browser?.close().catch(() => {});
  await relay?.stop();
  await new Promise<void>((resolve) => (http === null ? resolve() : http.close(() => resolve())));
});

let origin = '';

/** Opens two pages (own browser contexts) with credentials for one call. */
async function openCall(callId: string, credentials: ReturnType<typeof createEmbeddedCredentials>, only: 'tcp' | 'tls' | null): Promise<[Side, Side]> {
  const sides: Side[] = [];
  for (const participantId of ['caller', 'callee']) {
    const context = await (browser as Browser).newContext();
    const page = await context.newPage();
    await page.goto(origin, { timeout: 10_000 });
    const issued = credentials.issue({ callId, participantId, relayOnly: true });
    const keep = (url: string): boolean =>
      only === null || (only === 'tcp' ? url.startsWith('turn:') && url.endsWith('transport=tcp') : url.startsWith('turns:'));
    const config = { ...issued, iceServers: issued.iceServers.map((server) => ({ ...server, urls: server.urls.filter(keep) })) };
    sides.push({ page, config });
  }
  return sides as [Side, Side];
}

async function connect(caller: Side, callee: Side): Promise<string> {
  await setUpPeer(caller.page, caller.config, true);
  await setUpPeer(callee.page, callee.config, false);
  const offer = await localDescription(caller.page, 'offer', null);
  const answer = await localDescription(callee.page, 'answer', offer);
  await caller.page.evaluate(async (sdp) => {
    await (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp });
  }, answer);
  await waitFor(caller.page, 'window.pc.connectionState === "connected"', CONNECT_TIMEOUT_MS);
  await waitFor(callee.page, 'window.pc.connectionState === "connected"', CONNECT_TIMEOUT_MS);
  return offer;
}

call.before(async () => {
  if (!hasChromium) return;
  // A throw-away self-signed certificate for TURN over TLS.
  const dir = mkdtempSync(join(tmpdir(), 'porthello-browser-tls-'));
  const pair = makeCertificate(dir, 'localhost', 'DNS:localhost');
  const tls = { port: 0, cert: readFileSync(pair.cert), key: readFileSync(pair.key) };
  rmSync(dir, { recursive: true, force: true });
  relay = await startTestRelay(
    {
      host: '127.0.0.1',
      port: 0,
      relayPortMin: 50400,
      relayPortMax: 50499,
      externalIp: null,
      userQuota: 10,
      totalQuota: 50,
      defaultLifetimeS: ALLOCATION_LIFETIME_S,
      maxLifetimeS: ALLOCATION_LIFETIME_S,
      tls,
    },
    silentLogger,
  );
  http = createServer((_request, response) => {
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.end('<!doctype html><title>relay test</title>');
  });
  await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  browser = await launchBrowser(TRUST_TEST_CERTIFICATE);
});

test('stays connected for 70 s across several refreshes, then stops working once revoked', async () => {
  assert.ok(relay !== null);
  const credentials = createEmbeddedCredentials({
    relay,
    urls: embeddedTurnUrls({ host: '127.0.0.1', externalIp: null, publicOrigin: 'http://127.0.0.1', port: relay.port, tcp: false }),
    autoSweep: false,
  });
  const sides = await openCall('browser-call', credentials, null);
  const [caller, callee] = sides;
  assert.is(caller.config.iceTransportPolicy, 'relay');
  const offer = await connect(caller, callee);
  assert.ok(/ typ relay /.test(offer), 'the caller gathered a relay candidate');
  assert.not.ok(/ typ host /.test(offer), 'relay-only: no host candidate is offered');
  assert.is(relay.allocationCount(), 2, 'max-bundle: one allocation per browser');

  const started = Date.now();
  let lastBytes = -1;
  for (let checks = 0; Date.now() - started < HOLD_MS && checks < HOLD_MS / CHECK_EVERY_MS + 2; checks += 1) {
    await sleep(CHECK_EVERY_MS);
    for (const side of sides) {
      const stats = await pathStats(side.page);
      assert.is(stats.state, 'connected', `still connected after ${Math.round((Date.now() - started) / 1000)} s`);
      assert.is(stats.localType, 'relay');
      assert.is(stats.remoteType, 'relay');
      assert.is(stats.relayProtocol, 'udp');
    }
    const bytes = (await pathStats(callee.page)).bytesReceived;
    assert.ok(bytes > lastBytes, `inbound video keeps flowing (${bytes} bytes)`);
    lastBytes = bytes;
  }
  assert.ok(Date.now() - started >= HOLD_MS);
  assert.ok(lastBytes > 100_000, `the callee received video (${lastBytes} bytes)`);

  await caller.page.evaluate(() => (window as unknown as { channel: RTCDataChannel }).channel.send('ping'));
  await waitFor(caller.page, 'window.lastEcho === "echo:ping"', 5000);

  // Hang-up: the call's credentials are revoked; their allocations end and they are refused.
  credentials.revokeCall('browser-call');
  assert.is(relay.allocationCount(), 0);
  await waitFor(callee.page, 'window.pc.connectionState !== "connected"', AFTER_REVOKE_TIMEOUT_MS);
  const revoked = first(caller.config.iceServers, 'ICE server');
  const probe = await TurnClient.open({ address: '127.0.0.1', port: relay.port }, { username: revoked.username, password: revoked.credential });
  try {
    let code: number | null = null;
    await probe.allocate().catch((error: { code?: number }) => (code = error.code ?? null));
    assert.is(code, 401);
  } finally {
    await probe.close();
  }
  const gathered = await withTimeout(
    caller.page.evaluate(
      async ({ config, timeoutMs }) => {
        const pc = new RTCPeerConnection({ iceServers: config.iceServers as RTCIceServer[], iceTransportPolicy: 'relay' });
        pc.createDataChannel('probe');
        const candidates: string[] = [];
        pc.onicecandidate = (event) => {
          if (event.candidate) candidates.push(event.candidate.candidate);
        };
        await pc.setLocalDescription(await pc.createOffer());
        // Gathering completes once the relay has answered (refused) every request: nothing more can come.
        const complete = await new Promise<boolean>((resolve) => {
          if (pc.iceGatheringState === 'complete') return resolve(true);
          const timer = setTimeout(() => resolve(false), timeoutMs);
          pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState !== 'complete') return;
            clearTimeout(timer);
            resolve(true);
          });
        });
        pc.close();
        return complete ? candidates : null;
      },
      { config: caller.config, timeoutMs: GATHER_TIMEOUT_MS },
    ),
    GATHER_TIMEOUT_MS + 5_000,
    'gathering with revoked credentials',
  );
  assert.ok(gathered !== null, 'gathering with revoked credentials completed');
  assert.is(gathered.length, 0, 'revoked credentials yield no relay candidate');
  credentials.close();
  await Promise.all(sides.map((side) => side.page.context().close()));
});

test('connects a relay-only call over TURN/TCP alone', async () => {
  assert.ok(relay !== null);
  const credentials = createEmbeddedCredentials({
    relay,
    urls: embeddedTurnUrls({ host: '127.0.0.1', externalIp: null, publicOrigin: 'http://127.0.0.1', port: relay.port, tcp: true }),
    autoSweep: false,
  });
  const [caller, callee] = await openCall('tcp-call', credentials, 'tcp');
  try {
    assert.equal(caller.config.iceServers[0]?.urls, [`turn:127.0.0.1:${relay.port}?transport=tcp`]);
    const offer = await connect(caller, callee);
    assert.ok(/ typ relay /.test(offer));
    const first = (await pathStats(callee.page)).bytesReceived;
    const later = await videoFlowsPast(callee.page, first);
    assert.is(later.state, 'connected');
    assert.is(later.localType, 'relay');
    assert.is(later.relayProtocol, 'tcp', 'the browser reaches the relay over TCP');
    assert.is((await pathStats(caller.page)).relayProtocol, 'tcp');
    assert.ok(later.bytesReceived > first, 'video flows over TURN/TCP');
  } finally {
    credentials.close();
    await Promise.all([caller, callee].map((side) => side.page.context().close()));
  }
});

test('connects a relay-only call over TURN/TLS alone', async () => {
  assert.ok(relay !== null && relay.tlsPort !== null);
  const credentials = createEmbeddedCredentials({
    relay,
    urls: embeddedTurnUrls({ host: '127.0.0.1', externalIp: null, publicOrigin: 'https://localhost', port: relay.port, tcp: true, tlsPort: relay.tlsPort }),
    autoSweep: false,
  });
  const [caller, callee] = await openCall('tls-call', credentials, 'tls');
  try {
    assert.equal(caller.config.iceServers[0]?.urls, [`turns:localhost:${relay.tlsPort}?transport=tcp`]);
    await connect(caller, callee);
    const first = (await pathStats(callee.page)).bytesReceived;
    const later = await videoFlowsPast(callee.page, first);
    assert.is(later.state, 'connected');
    assert.is(later.localType, 'relay');
    assert.is(later.relayProtocol, 'tls', 'the browser reaches the relay over TLS');
    assert.ok(later.bytesReceived > first, 'video flows over TURN/TLS');
  } finally {
    credentials.close();
    await Promise.all([caller, callee].map((side) => side.page.context().close()));
  }
});

call.run();
