// The accessibility check of every page in one language, shared by the French and English suites
// (one suite per language keeps each under the test runner's time limit on a busy machine):
// each page at phone and desktop widths, every axe rule in the light theme, then the colour rules
// again in the dark theme on the same page.
import type { Browser } from 'playwright-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp, type TestMember } from '../accounts/helpers.js';
import { seriousViolations, type AxeProblem } from './axe.js';
import { browserSuite, hasChromium, launchBrowser } from './browser.js';
import { jsonOf, startTestServer, type TestServer } from './server.js';

export const A11Y_WAIT_MS = 20_000;
export const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
] as const;

type Visit = { path: string; asMember: boolean; ready: string };
/** Every page; LINK stands for the member's live call link (the guest's page). */
const VISITS: readonly Visit[] = [
  { path: '/', asMember: false, ready: 'h1' },
  { path: '/signup', asMember: false, ready: '#signup-form' },
  { path: '/login', asMember: false, ready: 'form' },
  { path: '/privacy', asMember: false, ready: 'h1' },
  { path: '/contact', asMember: false, ready: 'form' },
  { path: '/help', asMember: false, ready: '#verification-code' },
  { path: '/no-such-page', asMember: false, ready: 'h1' },
  { path: '/c/AAAAAAAAAAAAAAAAAAAAAA', asMember: false, ready: 'h1' },
  { path: 'LINK', asMember: false, ready: '#guest-form' },
  { path: '/calls', asMember: true, ready: '#call-log .call-entry' },
  { path: '/calls/reach', asMember: true, ready: '#blocks .block-entry' },
  { path: '/profile', asMember: true, ready: '#sessions li' },
  { path: '/my-data', asMember: true, ready: '#summary li' },
  { path: '/support', asMember: true, ready: 'h1' },
];

export type A11yWorld = { server: TestServer; browser: Browser; member: TestMember; linkPath: string };

/** Generous invite and ticket limits: the limits themselves are tested in test/signal/ringing.test.ts and test/calls/stopping-callers.test.ts. */
const A11Y_RING_LIMITS = {
  invitesPerCaller: { burst: 100, refillEveryMs: 1000 },
  guestInvitesPerLink: { burst: 100, refillEveryMs: 1000 },
  guestInvitesPerAddress: { burst: 100, refillEveryMs: 1000 },
};

const A11Y_TICKET_LIMITS = { perAddress: { burst: 100, refillEveryMs: 1000 } };

/**
 * A server with a member whose log has every kind of entry, and Chromium. `relayPorts`: a relay
 * port range of the suite's own, for a suite that connects calls (a guest's call is relayed, so it
 * connects only with the relay).
 */
export async function startA11yWorld(relayPorts?: { min: number; max: number }): Promise<A11yWorld> {
  // The call states are reached by ringing one member eight times from one address in a row.
  const server = await startTestServer({
    env: { ...FAST_BCRYPT, PORTHELLO_RING_COOLDOWN_S: '0' },
    signaling: true,
    ringLimits: A11Y_RING_LIMITS,
    ticketLimits: A11Y_TICKET_LIMITS,
    ...(relayPorts === undefined ? {} : { turnRelayPorts: relayPorts }),
  });
  const browser = await launchBrowser();
  const member = await signUp(server, { firstName: 'Marie', lastName: 'Curie' });
  const other = await signUp(server, { firstName: 'Pierre', lastName: 'Curie' });
  const linkPath = (await jsonOf(await server.fetch('/api/me', { headers: { Cookie: member.cookie } }))).callLink.path as string;
  const { service } = server.calls;
  const at = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  service.recordCall({ calleeMemberId: other.id, caller: { kind: 'member', memberId: member.id }, startedAt: at(90), outcome: 'answered', durationS: 75 });
  service.recordCall({ calleeMemberId: member.id, caller: { kind: 'member', memberId: other.id }, startedAt: at(60), outcome: 'declined', durationS: null });
  for (let ring = 0; ring < 2; ring += 1)
    service.recordCall({
      calleeMemberId: member.id,
      caller: { kind: 'guest', displayName: 'Zoé' },
      startedAt: at(30 - ring),
      outcome: 'missed',
      durationS: null,
    });
  // Someone on the member's block list, for the page that lists it.
  const blocked = await signUp(server, { firstName: 'Irène', lastName: 'Joliot' });
  server.calls.reach.blockMember(member.id, blocked.id);
  return { server, browser, member, linkPath };
}

export async function memberContext(world: A11yWorld, options: Parameters<Browser['newContext']>[0]) {
  const context = await world.browser.newContext({ reducedMotion: 'reduce', ...options });
  const [name = '', value = ''] = world.member.cookie.split('=');
  await context.addCookies([{ name, value, url: world.server.url }]);
  return context;
}

export function describeProblems(label: string, problems: AxeProblem[]): string[] {
  return problems.map((problem) => `${label}: ${problem.rule} (${problem.impact}) ${problem.help} at ${problem.targets.join(', ')}`);
}

/** Registers one test per width: every page of `locale`, light theme whole, dark theme's colours. */
export function pagesSuite(locale: 'fr' | 'en'): void {
  const { suite, test } = browserSuite(`accessibility of every page in ${locale} (axe-core, Chromium)`);
  let world: A11yWorld;
  suite.before(async () => {
    if (hasChromium) world = await startA11yWorld();
  });
  suite.after(async () => {
    if (!hasChromium) return;
    await world.browser.close();
    await world.server.close();
  });
  for (const viewport of VIEWPORTS) {
    test(`no serious or critical violation on any page at ${viewport.width} px, light and dark`, async () => {
      const found: string[] = [];
      for (const asMember of [false, true]) {
        const options = { locale, viewport, colorScheme: 'light' as const };
        const context = asMember ? await memberContext(world, options) : await world.browser.newContext({ reducedMotion: 'reduce', ...options });
        const page = await context.newPage();
        page.setDefaultTimeout(A11Y_WAIT_MS);
        try {
          for (const visit of VISITS.filter((candidate) => candidate.asMember === asMember)) {
            const path = visit.path === 'LINK' ? world.linkPath : visit.path;
            await page.emulateMedia({ colorScheme: 'light' });
            await page.goto(`${world.server.url}${path}?lang=${locale}`);
            await page.locator(visit.ready).first().waitFor();
            found.push(...describeProblems(`${visit.path} light`, await seriousViolations(page)));
            await page.emulateMedia({ colorScheme: 'dark' });
            found.push(...describeProblems(`${visit.path} dark`, await seriousViolations(page, { colourOnly: true })));
          }
        } finally {
          await context.close();
        }
      }
      assert.equal(found, []);
    });
  }
  suite.run();
}
