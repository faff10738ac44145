// Members call each other from the directory: a Firefox member rings a Chromium member, and two
// Firefox members call each other, through the real server and its relay; every call checked as
// test/helpers/firefox-calls.ts says, plus the path each side reports for the log.
import { firefoxCallSuite, memberCall } from '../helpers/firefox-calls.js';

const { suite, test } = firefoxCallSuite('member calls in Firefox', { min: 52100, max: 52199 });

test('a Firefox member calls a Chromium member from the directory: media and chat both ways, mute and camera on both sides, the caller’s dropped socket resumed, hang-up, the log', async () => {
  await memberCall('Firefox', 'Chromium', 'caller', ['Martin', 'Durand']);
});

test('two Firefox members call each other: media and chat both ways, mute and camera on both sides, the callee’s dropped socket resumed, hang-up, the log', async () => {
  await memberCall('Firefox', 'Firefox', 'callee', ['Roux', 'Petit']);
});

suite.run();
