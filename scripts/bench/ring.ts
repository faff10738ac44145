// Ring → both sides connected, in Chromium on loopback, direct and relay-only: a member rings
// another from the directory of /calls; the time runs from the callee's click on Answer (as the
// page receives it) until both pages' peer connections are connected. Baseline: two RTCPeerConnections connected
// inside one page, no server (the same fake camera and microphone, the same relay for the
// relay-only case), timed from getUserMedia to both connected.
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_PATH, hasChromium, launchBrowser } from '../../test/helpers/browser.js';
import { inPage, logInOnCallsPage } from '../../test/helpers/call-pages.js';
import { boxUseBetween, describeBoxUse, readBox } from './box-cpu.js';
import { freeTcpPort, freeUdpPortOutside } from './common.js';
import { abandonTrace, describeMainThread, startTrace, stopTrace, type Trace } from './ring-trace.js';
import { newRow, type BenchOptions, type Figure, type Row } from './figure.js';
import { makeDataDir, PASSWORD, removeDataDir, signUpMembers, startPorthello, type Porthello } from './porthello.js';

// Code passed to the page runs there; this names its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;

/** The relay's ports in this run (the relay suites use others). */
const RELAY_PORTS: readonly [number, number] = [55000, 55099];
const WAIT_MS = 30_000;
/**
 * Stamps the steps of a call with the time (both pages share this machine's clock): the
 * server's call-connected, each peer connection's creation, its first local description, and
 * when it connected. The breakdown says where the time between Answer and connected goes.
 */
const STAMP_STEPS = `(() => {
  const steps = (window.__steps = { clicked: [], sentAccept: [], callConnected: [], created: [], localDescription: [], sentDescription: [], receivedDescription: [], remoteDescription: [], connected: [] });
  window.__connectedAt = steps.connected;
  // The time a click reaches the page: what the person's Answer is timed from (the driver's own
  // checks before it clicks are not part of the call).
  window.addEventListener('click', () => steps.clicked.push(Date.now()), true);
  const isDescription = (text) => text.includes('"type":"offer"') || text.includes('"type":"answer"');
  const OriginalSocket = window.WebSocket;
  window.WebSocket = class extends OriginalSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const text = String(event.data);
        if (text.includes('"call-connected"')) steps.callConnected.push(Date.now());
        if (isDescription(text)) steps.receivedDescription.push(Date.now());
      });
    }
    send(data) {
      if (isDescription(String(data))) steps.sentDescription.push(Date.now());
      if (String(data).includes('"type":"accept"')) steps.sentAccept.push(Date.now());
      return super.send(data);
    }
  };
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      steps.created.push(Date.now());
      this.addEventListener('connectionstatechange', () => { if (this.connectionState === 'connected') steps.connected.push(Date.now()); });
    }
    setLocalDescription(...args) {
      steps.localDescription.push(Date.now());
      return super.setLocalDescription(...args);
    }
    async setRemoteDescription(...args) {
      const result = await super.setRemoteDescription(...args);
      steps.remoteDescription.push(Date.now());
      return result;
    }
  };
})();`;

/** Each step's times in one page, in the order they happened. */
type Steps = Record<(typeof STEP_NAMES)[number], number[]>;
/** The steps, in the order a call goes through them (the first description is the caller's offer, the callee's answer). */
const STEP_NAMES = [
  'clicked',
  'sentAccept',
  'callConnected',
  'created',
  'localDescription',
  'sentDescription',
  'receivedDescription',
  'remoteDescription',
  'connected',
] as const;
/** How the notes name each step (a side's steps that never happened, such as the caller's accept, are left out). */
const STEP_LABELS: ReadonlyArray<readonly [(typeof STEP_NAMES)[number], string]> = [
  ['sentAccept', 'accept sent'],
  ['callConnected', 'call-connected'],
  ['created', 'peer connection'],
  ['localDescription', 'first local description'],
  ['sentDescription', 'description sent'],
  ['receivedDescription', 'received'],
  ['remoteDescription', 'applied'],
  ['connected', 'connected'],
];
/** Milliseconds from Answer to each step, caller and callee. */
export type Breakdown = Record<'caller' | 'callee', Record<keyof Steps, number>>;

type Kind = 'direct' | 'relay-only';

async function memberPage(browser: Browser, url: string, email: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB' });
  await context.addInitScript(STAMP_STEPS);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await logInOnCallsPage(page, url, { email, password: PASSWORD }, WAIT_MS);
  return page;
}

async function connectedAt(page: Page): Promise<number> {
  await page.waitForFunction(() => window.__connectedAt.length > 0, undefined, { timeout: WAIT_MS });
  return inPage(page, () => window.__connectedAt[0] as number);
}

async function stepsSince(page: Page, since: number): Promise<Record<keyof Steps, number>> {
  const steps = await inPage(page, () => window.__steps as Steps);
  return Object.fromEntries(STEP_NAMES.map((name) => [name, (steps[name][0] ?? NaN) - since])) as Record<keyof Steps, number>;
}

/**
 * One call through the real pages: milliseconds from Answer to both connected, the steps on the
 * way and how busy the box was meanwhile; with `traced`, what both pages' main threads did (a
 * Chromium trace).
 */
async function ringToConnected(
  browser: Browser,
  server: Porthello,
  callerEmail: string,
  calleeEmail: string,
  traced: boolean,
): Promise<{ ms: number; steps: Breakdown; mainThreads: string[]; box: string }> {
  const callee = await memberPage(browser, server.url, calleeEmail);
  const caller = await memberPage(browser, server.url, callerEmail);
  let trace: Trace | null = null;
  try {
    await caller.getByRole('button', { name: 'Call Bench Callee' }).click();
    await callee.locator('#incoming-dialog[open]').waitFor();
    trace = traced
      ? await startTrace(browser, [
          [caller, 'caller'],
          [callee, 'callee'],
        ])
      : null;
    const boxBefore = readBox();
    const clickedAt = Date.now();
    await callee.getByRole('button', { name: 'Answer' }).click();
    const [a, b] = await Promise.all([connectedAt(caller), connectedAt(callee)]);
    const box = describeBoxUse(boxUseBetween(boxBefore, readBox()), Date.now() - clickedAt);
    const answeredAt = await inPage(callee, () => (window.__steps as Steps).clicked.at(-1) as number);
    const steps = { caller: await stepsSince(caller, answeredAt), callee: await stepsSince(callee, answeredAt) };
    const finished = trace;
    trace = null;
    const mainThreads = finished === null ? [] : (await stopTrace(finished, answeredAt, Math.max(a, b))).map(describeMainThread);
    await caller.getByRole('button', { name: 'Hang up' }).click();
    await callee.locator('#call-notice:not([hidden])').waitFor();
    return { ms: Math.max(a, b) - answeredAt, steps, mainThreads, box };
  } finally {
    if (trace !== null) await abandonTrace(trace);
    await caller.context().close();
    await callee.context().close();
  }
}

/** Two peer connections in one page: getUserMedia, tracks, offer/answer, ICE, both connected. */
async function inPageBaseline(browser: Browser, server: Porthello, email: string, kind: Kind): Promise<{ ms: number; box: string }> {
  const page = await memberPage(browser, server.url, email);
  try {
    const boxBefore = readBox();
    const startedAt = Date.now();
    const ms = await inPage(
      page,
      async (relayOnly: boolean) => {
        const ice = relayOnly ? (await (await window.fetch('/api/ice-servers')).json()).iceServers : [];
        const config = { iceServers: ice, iceTransportPolicy: relayOnly ? 'relay' : 'all', bundlePolicy: 'max-bundle' };
        const started = Date.now();
        const stream = await window.navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        const a = new window.RTCPeerConnection(config);
        const b = new window.RTCPeerConnection(config);
        a.onicecandidate = (event: { candidate: unknown }) => event.candidate && b.addIceCandidate(event.candidate);
        b.onicecandidate = (event: { candidate: unknown }) => event.candidate && a.addIceCandidate(event.candidate);
        for (const track of stream.getTracks()) a.addTrack(track, stream);
        const both = Promise.all(
          [a, b].map(
            (pc) => new Promise<void>((resolve) => pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && resolve())),
          ),
        );
        await a.setLocalDescription();
        await b.setRemoteDescription(a.localDescription);
        await b.setLocalDescription();
        await a.setRemoteDescription(b.localDescription);
        await both;
        const elapsed = Date.now() - started;
        a.close();
        b.close();
        for (const track of stream.getTracks()) track.stop();
        return elapsed;
      },
      kind === 'relay-only',
    );
    return { ms, box: describeBoxUse(boxUseBetween(boxBefore, readBox()), Date.now() - startedAt) };
  } finally {
    await page.context().close();
  }
}

async function setRelayOnly(server: Porthello, cookie: string, relayOnly: boolean): Promise<void> {
  const response = await fetch(`${server.url}/api/me/call-link`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: server.url },
    body: JSON.stringify({ relayOnly }),
  });
  if (!response.ok) throw new Error(`setting relay-only answered ${response.status}`);
}

async function measure(options: BenchOptions, rows: Record<Kind, Row>): Promise<void> {
  const dataDir = makeDataDir();
  const turnPort = await freeUdpPortOutside(RELAY_PORTS);
  // The pages' origin is the server's own: its public URL must name the port it listens on.
  const port = await freeTcpPort();
  const server = await startPorthello(dataDir, {
    PORTHELLO_PORT: String(port),
    PORTHELLO_PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORTHELLO_TURN_PORT: String(turnPort),
    PORTHELLO_TURN_HOST: '127.0.0.1',
    PORTHELLO_TURN_RELAY_PORTS: RELAY_PORTS.join('-'),
    // Every peer is on this machine: the relay must reach loopback, as in the test suites.
    PORTHELLO_TURN_ALLOWED_PEERS: '127.0.0.1/32',
  });
  const browser = await launchBrowser();
  try {
    const [caller] = await signUpMembers(server.url, 1, 'ring-caller', 'Caller', server.url);
    const [callee] = await signUpMembers(server.url, 1, 'ring-callee', 'Callee', server.url);
    if (caller === undefined || callee === undefined) throw new Error('no members');
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      for (const kind of ['direct', 'relay-only'] as const) {
        await setRelayOnly(server, callee.cookie, kind === 'relay-only');
        const row = rows[kind];
        // --profile: the first repeat's calls are traced (tracing costs the pages some time, so its figure is not comparable).
        const call = await ringToConnected(browser, server, caller.email, callee.email, options.profileDir !== null && repeat === 0);
        row.ours.push(call.ms);
        const show = (side: Breakdown['caller']) =>
          STEP_LABELS.filter(([name]) => !Number.isNaN(side[name]))
            .map(([name, label]) => `${label} ${side[name]} ms`)
            .join(', ');
        row.notes.push(`repeat ${repeat + 1} after Answer: caller ${show(call.steps.caller)}; callee ${show(call.steps.callee)}`);
        row.notes.push(`repeat ${repeat + 1}: ${call.box}`);
        for (const line of call.mainThreads) row.notes.push(`repeat ${repeat + 1} (traced): ${line}`);
        const baseline = await inPageBaseline(browser, server, caller.email, kind);
        row.base.push(baseline.ms);
        row.notes.push(`repeat ${repeat + 1} baseline: ${baseline.box}`);
        options.log(`  ring ${kind}: ${row.ours.at(-1)} ms vs ${row.base.at(-1)} ms`);
      }
    }
  } finally {
    await browser.close();
    await server.stop();
    removeDataDir(dataDir);
  }
}

export const ringFigure: Figure = {
  name: 'ring',
  async run(options) {
    const meets = (ours: number, base: number) => ours <= 1.5 * base + 50;
    const rows: Record<Kind, Row> = {
      direct: newRow('ring → both connected, Chromium, direct', 'two RTCPeerConnections in one page', '≤ 1.5× + 50 ms', 'ms', meets),
      'relay-only': newRow('ring → both connected, Chromium, relay-only', 'two RTCPeerConnections in one page, same relay', '≤ 1.5× + 50 ms', 'ms', meets),
    };
    if (!hasChromium) rows.direct.notes.push(`${CHROMIUM_PATH} is missing (apt-get install -y chromium): not measured`);
    else await measure(options, rows);
    return [rows.direct, rows['relay-only']];
  },
};
