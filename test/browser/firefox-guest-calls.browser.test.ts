// A guest on one browser rings a member on the other, Firefox and Chromium both ways, through the
// real server and its relay (calls from a link are relay-only); every call checked as
// test/helpers/firefox-calls.ts says.
import { firefoxCallSuite, guestCall } from '../helpers/firefox-calls.js';

const { suite, test } = firefoxCallSuite('guest calls between Firefox and Chromium', { min: 52500, max: 52599 });

test('a Firefox guest rings a Chromium member: relayed media and chat both ways, the same security code, mute, camera, a dropped socket resumed, hang-up, the log', async () => {
  await guestCall('Firefox', 'Chromium', { member: ['Marie', 'Curie'], guest: 'Paul Langevin' });
});

test('a Chromium guest rings a Firefox member: relayed media and chat both ways, the same security code, mute, camera, a dropped socket resumed, hang-up, the log', async () => {
  await guestCall('Chromium', 'Firefox', { member: ['Irène', 'Joliot'], guest: 'Frédéric Joliot' });
});

suite.run();
