// The connection self-test (/test): five checks in order, each shown with its result in plain
// words as soon as it is known, then a summary and a report to copy for support. The report holds
// results, counts, rounded timings and the browser's name and major version: no address.
import type { SelfTestIce } from '../../../server/contract/selftest.js';
import { api, ApiError } from '../lib/api.js';
import { asMediaError, openLocalMedia } from '../lib/call/media.js';
import { byId } from '../lib/dom.js';
import { t, type ClientMessageKey } from '../lib/messages.js';
import {
  allocateOn,
  gatherCandidates,
  loopThroughRelay,
  probeSignaler,
  stunUrlsOf,
  syntheticVideoTrack,
  transportOf,
  type RelayResult,
} from '../lib/self-test-checks.js';

type StepId = 'media' | 'signal' | 'candidates' | 'relay' | 'loop';
type StepState = 'running' | 'pass' | 'warn' | 'fail' | 'skip';
/** Timings in the report are rounded to this: enough for support, no fingerprint. */
const REPORT_ROUNDING_MS = 100;

const startButton = byId<HTMLButtonElement>('selftest-start');
const summary = byId('selftest-summary');
const reportSection = byId('selftest-report-section');
const reportText = byId<HTMLTextAreaElement>('selftest-report');
const copied = byId('selftest-copied');

const rounded = (ms: number): number => Math.max(REPORT_ROUNDING_MS, Math.round(ms / REPORT_ROUNDING_MS) * REPORT_ROUNDING_MS);

/** Shows a step's state (a word, not only a colour) and its result, one paragraph per line. */
function show(step: StepId, state: StepState, lines: readonly string[]): void {
  const item = byId(`step-${step}`);
  item.dataset['state'] = state;
  byId(`step-${step}-state`).textContent = t(`selftest.state.${state}`);
  const result = byId(`step-${step}-result`);
  result.replaceChildren(
    ...lines.map((line) => {
      const paragraph = document.createElement('p');
      paragraph.textContent = line;
      return paragraph;
    }),
  );
}

/** The browser's name and major version, from the client hints where there are some. */
function browserName(): string {
  const hints = (navigator as Navigator & { userAgentData?: { brands?: { brand: string; version: string }[]; mobile?: boolean; platform?: string } })
    .userAgentData;
  const brand = hints?.brands
    ?.filter((entry) => !/not.?a.?brand/i.test(entry.brand))
    .sort((a, b) => (a.brand === 'Chromium' ? 1 : 0) - (b.brand === 'Chromium' ? 1 : 0))[0];
  const ua = navigator.userAgent;
  const platform =
    hints?.platform ||
    (/Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad/.test(ua)
        ? 'iOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Mac OS/.test(ua)
            ? 'macOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : 'other');
  const mobile = hints?.mobile === true || /Mobi/.test(ua) ? ', mobile' : '';
  if (brand !== undefined) return `${brand.brand} ${brand.version} (${platform}${mobile})`;
  const known = [/(Firefox)\/(\d+)/, /(Edg)\/(\d+)/, /(Chrome)\/(\d+)/, /Version\/(\d+).*(Safari)/]
    .map((pattern) => pattern.exec(ua))
    .find((match) => match !== null);
  const name =
    known === undefined || known === null
      ? 'unknown'
      : known[1] === 'Edg'
        ? `Edge ${known[2]}`
        : /^\d+$/.test(known[1] ?? '')
          ? `${known[2]} ${known[1]}`
          : `${known[1]} ${known[2]}`;
  return `${name} (${platform}${mobile})`;
}

function transportName(result: RelayResult): string {
  return t(`selftest.transport.${result.transport}`);
}

async function run(): Promise<void> {
  const report: string[] = ['Porthello connection test', `date: ${new Date().toISOString().slice(0, 10)}`, `browser: ${browserName()}`];
  const failed: StepId[] = [];
  const partly: StepId[] = [];
  for (const step of ['media', 'signal', 'candidates', 'relay', 'loop'] as const) show(step, 'skip', [t('selftest.waiting')]);
  summary.textContent = t('selftest.running');
  reportSection.hidden = true;

  // 1. Camera and microphone, as a call opens them.
  show('media', 'running', [t('selftest.media.running')]);
  let stream: MediaStream | null = null;
  try {
    stream = await openLocalMedia();
    const hasVideo = stream.getVideoTracks().length > 0;
    show('media', hasVideo ? 'pass' : 'warn', [t(hasVideo ? 'selftest.media.ok' : 'selftest.media.audioOnly')]);
    if (!hasVideo) partly.push('media');
    report.push(`camera and microphone: ${hasVideo ? 'pass' : 'microphone only'}`);
  } catch (error) {
    const { problem } = asMediaError(error);
    show('media', 'fail', [t(`media.${problem}` as ClientMessageKey)]);
    report.push(`camera and microphone: fail (${problem})`);
    failed.push('media');
  }

  // 2. The signaler, through whatever proxy and firewall stand between.
  show('signal', 'running', [t('selftest.signal.running')]);
  const signal = await probeSignaler();
  if (signal.ok) show('signal', 'pass', [t('selftest.signal.ok')]);
  else {
    show('signal', 'fail', [t('selftest.signal.fail')]);
    failed.push('signal');
  }
  report.push(`call service: ${signal.ok ? `pass (${rounded(signal.ms)} ms)` : 'fail'}`);

  // The relay's credentials for steps 3 to 5.
  let ice: SelfTestIce | null = null;
  let iceProblem: string | null = null;
  try {
    ice = await api<SelfTestIce>('POST', '/api/self-test/ice-servers', {});
  } catch (error) {
    const tooMany = error instanceof ApiError && error.code === 'too_many_tests';
    iceProblem = tooMany ? t('selftest.tooMany', { minutes: Math.max(1, Math.ceil((error.retryAfterS ?? 60) / 60)) }) : t('selftest.relay.noCredentials');
    report.push(`relay credentials: fail (${error instanceof ApiError ? error.code : 'error'})`);
  }

  // 3. Candidates: the device's own paths, and the public one the relay's STUN service sees.
  show('candidates', 'running', [t('selftest.candidates.running')]);
  const candidates = await gatherCandidates(ice === null ? [] : stunUrlsOf(ice.first));
  const anyPath = candidates.host + candidates.srflx > 0;
  show('candidates', anyPath ? 'pass' : 'fail', [
    t(anyPath ? 'selftest.candidates.ok' : 'selftest.candidates.none', { host: candidates.host, srflx: candidates.srflx }),
  ]);
  if (!anyPath) failed.push('candidates');
  report.push(`candidates: ${anyPath ? 'pass' : 'fail'} (host ${candidates.host}, srflx ${candidates.srflx})`);

  // 4. The relay, one transport at a time, all at once.
  const server = ice?.first[0];
  let relayWorks = false;
  if (server === undefined) {
    show('relay', ice === null ? 'fail' : 'skip', [iceProblem ?? t('selftest.relay.none')]);
    if (ice === null) failed.push('relay');
    report.push(`relay: ${ice === null ? 'fail (no credentials)' : 'not offered'}`);
  } else {
    show('relay', 'running', [t('selftest.relay.running')]);
    const offered = [...new Set(server.urls.map(transportOf))];
    const results = await Promise.all(server.urls.map((url) => allocateOn(server, url)));
    const lines = results.map((result) =>
      t(result.ok ? 'selftest.relay.transportOk' : 'selftest.relay.transportBlocked', { transport: transportName(result) }),
    );
    for (const transport of ['udp', 'tcp', 'tls'] as const)
      if (!offered.includes(transport)) lines.push(t('selftest.relay.transportNotOffered', { transport: t(`selftest.transport.${transport}`) }));
    const working = results.filter((result) => result.ok).length;
    relayWorks = working > 0;
    const state: StepState = working === results.length ? 'pass' : relayWorks ? 'warn' : 'fail';
    show('relay', state, [t(state === 'pass' ? 'selftest.relay.ok' : state === 'warn' ? 'selftest.relay.partly' : 'selftest.relay.blocked'), ...lines]);
    if (state === 'fail') failed.push('relay');
    if (state === 'warn') partly.push('relay');
    for (const result of results) report.push(`relay ${result.transport}: ${result.ok ? `pass (${rounded(result.ms)} ms)` : 'fail'}`);
    for (const transport of ['udp', 'tcp', 'tls'] as const) if (!offered.includes(transport)) report.push(`relay ${transport}: not offered`);
  }

  // 5. Picture and sound through the relay and back, between two connections of this page.
  if (ice === null || !relayWorks) {
    show('loop', 'skip', [t('selftest.loop.skipped')]);
    report.push('media through the relay: not checked');
  } else {
    show('loop', 'running', [t('selftest.loop.running')]);
    const synthetic = stream === null || stream.getVideoTracks().length === 0 ? syntheticVideoTrack() : null;
    const tracks = [...(stream?.getTracks() ?? []), ...(synthetic === null ? [] : [synthetic.track])];
    const loop = await loopThroughRelay(ice.first, ice.second, tracks);
    synthetic?.stop();
    if (loop.ok) show('loop', 'pass', [t('selftest.loop.ok')]);
    else {
      show('loop', 'fail', [t('selftest.loop.fail')]);
      failed.push('loop');
    }
    report.push(`media through the relay: ${loop.ok ? `pass (${rounded(loop.ms)} ms${loop.via === null ? '' : `, over ${loop.via}`})` : 'fail'}`);
  }
  for (const track of stream?.getTracks() ?? []) track.stop();

  summary.textContent = t(failed.length > 0 ? 'selftest.summary.problems' : partly.length > 0 ? 'selftest.summary.partly' : 'selftest.summary.ok');
  const outcome = failed.length > 0 ? `failed: ${failed.join(', ')}` : partly.length > 0 ? `works, partly: ${partly.join(', ')}` : 'everything works';
  report.push(`result: ${outcome}`);
  reportText.value = report.join('\n');
  reportSection.hidden = false;
}

startButton.addEventListener('click', () => {
  startButton.disabled = true;
  copied.textContent = '';
  run()
    .catch(() => {
      summary.textContent = t('generic');
    })
    .finally(() => {
      startButton.disabled = false;
      startButton.textContent = t('selftest.again');
    });
});

byId('selftest-copy').addEventListener('click', () => {
  reportText.select();
  navigator.clipboard
    .writeText(reportText.value)
    .then(() => {
      copied.textContent = t('selftest.copied');
    })
    .catch(() => {
      copied.textContent = t('selftest.copyByHand');
    });
});
