// Real Chromium for browser suites: Debian's /usr/bin/chromium driven by playwright-core, with
// fake camera and microphone. Suites call `browserSuite()` so that where Chromium is missing
// every test reports as skipped with the command that installs it.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { suite, type Test } from 'uvu';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

/** Flags measured to work for calls on loopback (see RECIPES.md); without the loopback one Chromium gathers no candidate at all. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

/** Bounds a launch that hangs (a broken install) instead of the whole suite. */
const LAUNCH_TIMEOUT_MS = 15_000;

/** `executablePath` may be a wrapper that execs Chromium elsewhere (inside a network namespace);
 *  `env` replaces Chromium's environment (a HOME whose certificate store trusts a test's own CA). */
export function launchBrowser(extraArgs: readonly string[] = [], executablePath = CHROMIUM_PATH, env?: Readonly<Record<string, string>>): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    timeout: LAUNCH_TIMEOUT_MS,
    ...(env === undefined ? {} : { env: { ...env } }),
  });
}

/** A uvu suite whose tests are skipped, with the install command printed, where Chromium is missing. */
export function browserSuite<T>(name: string, context?: T): { suite: Test<T>; test: Test<T> | Test<T>['skip'] } {
  const created = suite<T>(name, context);
  if (!hasChromium) console.log(`${name}: Debian's Chromium is missing, skipped. Install it with: apt-get install -y chromium`);
  return { suite: created, test: hasChromium ? created : created.skip };
}
