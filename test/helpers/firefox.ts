// Real Firefox for browser suites: Debian's firefox-esr driven by puppeteer-core over WebDriver
// BiDi (no downloaded browser), with a fake camera and microphone. Suites call `firefoxSuite()`
// so that where Firefox (or Chromium, for suites that call across the two) is missing every test
// reports as skipped with the command that installs it.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { suite, type Test } from 'uvu';
import { hasChromium } from './browser.js';

export const FIREFOX_PATH = '/usr/bin/firefox-esr';
export const hasFirefox = existsSync(FIREFOX_PATH);

/** Prefs measured to work for calls on loopback (see RECIPES.md). */
const FIREFOX_PREFS: Record<string, unknown> = {
  // A fake 1280×720 camera and a tone, handed out without a permission prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // Granted camera and microphone, as a person grants them. Without a permission Firefox gathers
  // only the default route's address (none at all where the only interface is loopback): no
  // candidate, not even a relay one, and every call fails.
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  // Loopback candidates are the only ones a loopback-only namespace has; plain addresses, no mDNS names.
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // No OpenH264 download: Firefox then offers VP8/VP9.
  'media.gmp-gmpopenh264.enabled': false,
  'media.gmp-manager.url': '',
  // No background traffic (captive portal, connectivity checks, DNS over HTTPS).
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.trr.mode': 5,
  // The pages pick their language from Accept-Language.
  'intl.accept_languages': 'en-GB, en',
};

/** Firefox starts in 4–10 s on two busy cores; past this a launch is a broken install. */
const FIREFOX_LAUNCH_TIMEOUT_MS = 45_000;

/**
 * `prefs` change the call prefs above: a Firefox with WebRTC turned off, or one that blocks the
 * camera. `executablePath` may be a wrapper that runs Firefox elsewhere (inside a network
 * namespace); `acceptInsecureCerts` is for a server with a throw-away certificate.
 */
export function launchFirefox(prefs: Record<string, unknown> = {}, options: { executablePath?: string; acceptInsecureCerts?: boolean } = {}): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: options.executablePath ?? FIREFOX_PATH,
    acceptInsecureCerts: options.acceptInsecureCerts ?? false,
    protocol: 'webDriverBiDi',
    headless: true,
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...prefs },
    timeout: FIREFOX_LAUNCH_TIMEOUT_MS,
  });
}

/**
 * A uvu suite whose tests are skipped, with the install command printed, where Firefox is
 * missing (or Chromium, when the suite also needs it).
 */
export function firefoxSuite<T>(name: string, options: { withChromium?: boolean } = {}): { suite: Test<T>; test: Test<T> | Test<T>['skip'] } {
  const created = suite<T>(name);
  const missing = [...(hasFirefox ? [] : ['firefox-esr']), ...(options.withChromium === true && !hasChromium ? ['chromium'] : [])];
  if (missing.length > 0) console.log(`${name}: ${missing.join(' and ')} missing, skipped. Install with: apt-get install -y ${missing.join(' ')}`);
  return { suite: created, test: missing.length === 0 ? created : created.skip };
}
