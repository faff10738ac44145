// Reading the connection self-test page (/test) from a browser suite, whichever driver holds it.
import * as assert from 'uvu/assert';
import { inPage, type DrivenPage } from './call-pages.js';

// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const document: any;

export const SELF_TEST_STEPS = ['media', 'signal', 'candidates', 'relay', 'loop'] as const;
/** The whole test: gathering, three allocations and a relayed loop, on two busy cores. */
export const TEST_WAIT_MS = 60_000;

/** Each step's state as the page shows it (data-state: pass, warn, fail, skip). */
export function stepStates(page: DrivenPage): Promise<Record<string, string>> {
  return inPage(
    page,
    (steps: readonly string[]) => Object.fromEntries(steps.map((step) => [step, document.getElementById(`step-${step}`)?.dataset.state ?? 'missing'])),
    SELF_TEST_STEPS,
  );
}

export function reportOf(page: DrivenPage): Promise<string> {
  return inPage(page, () => document.getElementById('selftest-report')?.value ?? '');
}

/** IPv4 dotted quads, and IPv6 forms with at least two colons between hex groups (::1, fe80::…). */
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/;
const IPV6 = /(?:[0-9a-f]{1,4})?::?(?:[0-9a-f]{1,4}:){1,7}[0-9a-f]{0,4}|::1\b|::ffff/i;

export function assertNoAddress(report: string): void {
  assert.not.match(report, IPV4, `an IPv4 address in:\n${report}`);
  assert.not.match(report, IPV6, `an IPv6 address in:\n${report}`);
}
