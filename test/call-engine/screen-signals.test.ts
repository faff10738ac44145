// The two things the call screen reads from the other side besides media, under Node: the
// state message each side sends about its microphone and camera (peer-state.ts), and the
// quality from two getStats readings (quality.ts). The browser suites show both on the screen.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseState, STATE_MESSAGE_MAX_CHARS, stateMessage } from '../../public/ts/lib/call/peer-state.js';
import {
  assessQuality,
  BAD_LOSS_RATIO,
  BAD_ROUND_TRIP_MS,
  MIN_PACKETS_FOR_LOSS,
  POOR_LOSS_RATIO,
  POOR_ROUND_TRIP_MS,
} from '../../public/ts/lib/call/quality.js';

const state = suite('peer state message');

state('a state survives the round trip and stays within its bound', () => {
  const sent = { muted: true, video: true, screen: true };
  const text = stateMessage(sent);
  assert.ok(text.length <= STATE_MESSAGE_MAX_CHARS);
  assert.equal(parseState(JSON.parse(text)), sent);
});

state('anything but three booleans under kind "state" is refused', () => {
  for (const bad of [
    null,
    'state',
    [],
    { text: 'hello', sentAt: '2026-01-01T00:00:00Z' },
    { kind: 'state', muted: 'yes', video: true, screen: false },
    { kind: 'state', muted: true, video: 1, screen: false },
    { kind: 'state', muted: true, video: true },
    { kind: 'other', muted: true, video: true, screen: false },
  ]) {
    assert.is(parseState(bad), null, JSON.stringify(bad));
  }
});

state('a screen without video is no screen', () => {
  assert.equal(parseState({ kind: 'state', muted: false, video: false, screen: true }), { muted: false, video: false, screen: false });
});

state.run();

const quality = suite('connection quality');
const reading = (packetsReceived: number, packetsLost: number, roundTripMs: number | null = 20) => ({ packetsReceived, packetsLost, roundTripMs });

quality('no loss and a short round trip is good, also before the first reading', () => {
  assert.is(assessQuality(null, reading(1000, 0)), 'good');
  assert.is(assessQuality(reading(1000, 0), reading(2000, 0, null)), 'good');
});

quality('loss between two readings: poor from its threshold, bad from the next', () => {
  const base = reading(10_000, 100);
  const lossOf = (ratio: number) => reading(10_000 + Math.round(1000 * (1 - ratio)), 100 + Math.round(1000 * ratio));
  assert.is(assessQuality(base, lossOf(POOR_LOSS_RATIO / 2)), 'good');
  assert.is(assessQuality(base, lossOf(POOR_LOSS_RATIO)), 'poor');
  assert.is(assessQuality(base, lossOf(BAD_LOSS_RATIO)), 'bad');
});

quality('old losses do not count again; too few packets say nothing', () => {
  assert.is(assessQuality(reading(1000, 500), reading(2000, 500)), 'good');
  assert.is(assessQuality(reading(1000, 0), reading(1000 + MIN_PACKETS_FOR_LOSS - 11, 10)), 'good');
  assert.is(assessQuality(reading(1000, 0), reading(1000 + MIN_PACKETS_FOR_LOSS - 10, 10)), 'bad');
});

quality('a long round trip is poor, a very long one bad', () => {
  assert.is(assessQuality(null, reading(0, 0, POOR_ROUND_TRIP_MS - 1)), 'good');
  assert.is(assessQuality(null, reading(0, 0, POOR_ROUND_TRIP_MS)), 'poor');
  assert.is(assessQuality(null, reading(0, 0, BAD_ROUND_TRIP_MS)), 'bad');
});

quality.run();
