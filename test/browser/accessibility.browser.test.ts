// axe-core on the call states reached without a connected call, in French and English, light
// and dark: the guest's form with its error, a guest ringing, the member's incoming-call dialog,
// and the end of the call on both sides. The pages themselves: accessibility-fr / -en.
import * as assert from 'uvu/assert';
import { seriousViolations } from '../helpers/axe.js';
import { A11Y_WAIT_MS, type A11yWorld, describeProblems, memberContext, startA11yWorld, VIEWPORTS } from '../helpers/axe-pages.js';
import { browserSuite, hasChromium } from '../helpers/browser.js';
import type { Page } from 'playwright-core';

const { suite: a11y, test } = browserSuite('accessibility of the call states (axe-core, Chromium)');
let world: A11yWorld;

a11y.before(async () => {
  if (hasChromium) world = await startA11yWorld();
});
a11y.after(async () => {
  if (!hasChromium) return;
  await world.browser.close();
  await world.server.close();
});

async function check(page: Page, label: string, found: string[]): Promise<void> {
  found.push(...describeProblems(label, await seriousViolations(page)));
}

test('the call states reached without media, in both languages and themes, at both widths in turn', async () => {
  const found: string[] = [];
  for (const [locale, scheme, viewport] of [
    ['fr', 'light', VIEWPORTS[0]],
    ['fr', 'dark', VIEWPORTS[1]],
    ['en', 'light', VIEWPORTS[1]],
    ['en', 'dark', VIEWPORTS[0]],
  ] as const) {
    const calleeContext = await memberContext(world, { locale, colorScheme: scheme, viewport });
    const guestContext = await world.browser.newContext({ locale, colorScheme: scheme, viewport, reducedMotion: 'reduce' });
    try {
      const callee = await calleeContext.newPage();
      const guest = await guestContext.newPage();
      for (const page of [callee, guest]) page.setDefaultTimeout(A11Y_WAIT_MS);
      await callee.goto(`${world.server.url}/calls?lang=${locale}`);
      await callee.locator('#signal-status[data-state="open"]').waitFor();
      await guest.goto(`${world.server.url}${world.linkPath}?lang=${locale}`);
      // The guest's form with its error shown.
      await guest.locator('#guest-call').click();
      await guest.locator('#display-name-error:not([hidden])').waitFor();
      await check(guest, `guest form error ${locale} ${scheme}`, found);
      await guest.locator('#display-name').fill('Paul');
      await guest.locator('#guest-call').click();
      await callee.locator('#incoming-dialog[open]').waitFor();
      await guest.locator('#guest-calling:not([hidden])').waitFor();
      await check(callee, `incoming call ${locale} ${scheme}`, found);
      await check(guest, `guest ringing ${locale} ${scheme}`, found);
      // The member declines: the guest's page says so.
      await callee.locator('#incoming-decline').click();
      await guest.locator('#guest-ended:not([hidden])').waitFor();
      await check(guest, `guest call ended ${locale} ${scheme}`, found);
      // The guest rings again and gives up: the member's page tells of a missed call.
      await guest.locator('#guest-again').click();
      await callee.locator('#incoming-dialog[open]').waitFor();
      await guest.locator('#guest-cancel').click();
      await callee.locator('#call-notice:not([hidden])').waitFor();
      await check(callee, `missed call notice ${locale} ${scheme}`, found);
    } finally {
      await calleeContext.close();
      await guestContext.close();
    }
  }
  assert.equal(found, []);
});

a11y.run();
