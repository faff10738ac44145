// axe-core on every call state, in French and English, light and dark, phone and desktop: the
// guest's form with its error, a guest ringing, the member's incoming-call dialog, the end of the
// call on both sides, and the connected call screen with its chat and devices dialog open. The
// pages themselves: accessibility-fr / -en. What axe cannot judge is in docs/accessibility.md.
import * as assert from 'uvu/assert';
import { seriousViolations } from '../helpers/axe.js';
import { contrast, over } from '../helpers/colours.js';
import { A11Y_WAIT_MS, type A11yWorld, describeProblems, memberContext, startA11yWorld, VIEWPORTS } from '../helpers/axe-pages.js';
import { browserSuite, hasChromium } from '../helpers/browser.js';
import type { Page } from 'playwright-core';

/** A range of its own, apart from the other relay suites'. */
const RELAY_PORTS = { min: 52800, max: 52899 };
const { suite: a11y, test } = browserSuite('accessibility of the call states (axe-core, Chromium)');
let world: A11yWorld;

a11y.before(async () => {
  if (hasChromium) world = await startA11yWorld(RELAY_PORTS);
});
a11y.after(async () => {
  if (!hasChromium) return;
  await world.browser.close();
  await world.server.close();
});

async function check(page: Page, label: string, found: string[]): Promise<void> {
  found.push(...describeProblems(label, await seriousViolations(page)));
}

type Pair = { callee: Page; guest: Page };

/**
 * The member on their calls page, reachable, and a guest on the member's link, each in a context
 * of its own with `options`; closed after `body`.
 */
async function withPair(
  options: { locale: 'fr' | 'en'; colorScheme: 'light' | 'dark'; viewport: (typeof VIEWPORTS)[number]; reducedMotion: 'reduce' | 'no-preference' },
  body: (pair: Pair) => Promise<void>,
): Promise<void> {
  const calleeContext = await memberContext(world, options);
  const guestContext = await world.browser.newContext(options);
  try {
    const callee = await calleeContext.newPage();
    const guest = await guestContext.newPage();
    for (const page of [callee, guest]) page.setDefaultTimeout(A11Y_WAIT_MS);
    await callee.goto(`${world.server.url}/calls?lang=${options.locale}`);
    await callee.locator('#signal-status[data-state="open"]').waitFor();
    await guest.goto(`${world.server.url}${world.linkPath}?lang=${options.locale}`);
    await body({ callee, guest });
  } finally {
    await calleeContext.close();
    await guestContext.close();
  }
}

test('the call states reached without media, in both languages and themes, at both widths in turn', async () => {
  const found: string[] = [];
  for (const [locale, scheme, viewport] of [
    ['fr', 'light', VIEWPORTS[0]],
    ['fr', 'dark', VIEWPORTS[1]],
    ['en', 'light', VIEWPORTS[1]],
    ['en', 'dark', VIEWPORTS[0]],
  ] as const) {
    await withPair({ locale, colorScheme: scheme, viewport, reducedMotion: 'reduce' }, async ({ callee, guest }) => {
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
    });
  }
  assert.equal(found, []);
});

/** The smallest WCAG ratio for body text. */
const TEXT_CONTRAST = 4.5;

/**
 * axe cannot judge text over a video. Each line over the picture is checked against its own
 * backing laid over a white and a black frame (the two extremes of any picture).
 */
async function textOverVideo(page: Page): Promise<string[]> {
  const lines = await page.locator('.call-info > :not([hidden]):not(:empty), .peer-flag').evaluateAll((nodes: Element[]) =>
    nodes.map((node) => {
      const style = window.getComputedStyle(node);
      return { text: node.textContent ?? '', colour: style.color, backing: style.backgroundColor };
    }),
  );
  const problems: string[] = [];
  if (lines.length === 0) problems.push('no text over the video to check');
  for (const line of lines) {
    for (const frame of ['rgb(255, 255, 255)', 'rgb(0, 0, 0)']) {
      const ratio = contrast(line.colour, over(line.backing, frame));
      if (ratio < TEXT_CONTRAST) problems.push(`"${line.text}" at ${ratio.toFixed(2)}:1 over ${frame}`);
    }
  }
  return problems;
}

test('the connected call screen, its chat and its devices dialog, in both languages and themes, at both widths', async () => {
  const found: string[] = [];
  for (const [locale, viewport] of [
    ['fr', VIEWPORTS[0]],
    ['en', VIEWPORTS[1]],
  ] as const) {
    await withPair({ locale, colorScheme: 'light', viewport, reducedMotion: 'reduce' }, async ({ callee, guest }) => {
      await guest.locator('#display-name').fill('Paul');
      await guest.locator('#guest-call').click();
      await callee.locator('#incoming-accept').click();
      for (const page of [callee, guest]) await page.locator('.call-screen[data-phase="connected"]').waitFor();
      for (const [page, who] of [
        [callee, 'member'],
        [guest, 'guest'],
      ] as const) {
        const label = `${who} connected ${locale} ${viewport.width}`;
        await check(page, `${label} light`, found);
        found.push(...(await textOverVideo(page)).map((problem) => `${label}: ${problem}`));
        await page.emulateMedia({ colorScheme: 'dark' });
        found.push(...describeProblems(`${label} dark`, await seriousViolations(page, { colourOnly: true })));
        await page.emulateMedia({ colorScheme: 'light' });
      }
      await callee.locator('.call-button-chat').click();
      await callee.locator('#call-chat-input').fill('Bonjour');
      await callee.keyboard.press('Enter');
      await guest.locator('.call-button-chat').click();
      await guest.locator('.chat-theirs').waitFor();
      await check(guest, `chat open ${locale} ${viewport.width}`, found);
      await callee.keyboard.press('Escape');
      await callee.locator('.call-button-devices').click();
      await callee.locator('.devices-dialog[open]').waitFor();
      await check(callee, `devices dialog ${locale} ${viewport.width}`, found);
      await callee.keyboard.press('Escape');
      await guest.locator('.call-button-hang-up').click();
      await callee.locator('.call-screen').waitFor({ state: 'detached' });
    });
  }
  assert.equal(found, []);
});

test('with reduced motion asked for, the ringing pictures do not pulse', async () => {
  for (const reducedMotion of ['reduce', 'no-preference'] as const) {
    await withPair({ locale: 'en', colorScheme: 'light', viewport: VIEWPORTS[0], reducedMotion }, async ({ callee, guest }) => {
      await guest.locator('#display-name').fill('Paul');
      await guest.locator('#guest-call').click();
      await callee
        .locator('#incoming-dialog[open]')
        .waitFor()
        .catch(async (error: Error) => {
          throw new Error(`${error.message}\nguest page: ${await guest.locator('main').textContent()}`);
        });
      const animation = await callee.locator('.incoming-avatar .avatar').evaluate((node: Element) => window.getComputedStyle(node).animationName);
      if (reducedMotion === 'reduce') assert.is(animation, 'none');
      else assert.is.not(animation, 'none', 'the picture pulses for those who did not ask otherwise: the check above can fail');
      // Incoming calls are announced: a modal dialog, named, described by the caller's name.
      assert.is(await callee.locator('#incoming-dialog').getAttribute('aria-describedby'), 'incoming-who');
      assert.match((await callee.locator('#incoming-who').textContent()) ?? '', 'Paul');
      await callee.getByRole('dialog', { name: 'Incoming call' }).waitFor();
      await callee.locator('#incoming-decline').click();
    });
  }
});

a11y.run();
