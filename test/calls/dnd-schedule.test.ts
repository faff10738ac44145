import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  isQuietAt,
  isTimeZone,
  localTimeOf,
  MAX_QUIET_LOOKAHEAD_MS,
  MAX_TIME_ZONE_CHARS,
  minutesOf,
  quietStartsWithin,
  type DndSchedule,
} from '../../server/calls/dnd-schedule.js';

const schedule = suite('a weekly do-not-disturb schedule');
const at = (iso: string): number => Date.parse(iso);
const nights: DndSchedule = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], startMin: 22 * 60, endMin: 7 * 60, timeZone: 'Europe/Paris' };

schedule('reads the day and time in the member’s zone, summer time included', () => {
  assert.equal(localTimeOf(at('2026-11-30T21:30:00Z'), 'Europe/Paris'), { day: 'mon', minute: 22 * 60 + 30 });
  assert.equal(localTimeOf(at('2026-07-06T21:30:00Z'), 'Europe/Paris'), { day: 'mon', minute: 23 * 60 + 30 });
  assert.equal(localTimeOf(at('2026-11-30T21:30:00Z'), 'Pacific/Auckland'), { day: 'tue', minute: 10 * 60 + 30 });
});

schedule('runs overnight from a chosen evening to the next morning, and not from other evenings', () => {
  assert.ok(isQuietAt(nights, at('2026-11-30T21:30:00Z')), 'Monday 22:30');
  assert.ok(isQuietAt(nights, at('2026-12-01T05:59:00Z')), 'Tuesday 06:59');
  assert.not.ok(isQuietAt(nights, at('2026-12-01T06:00:00Z')), 'Tuesday 07:00: over');
  assert.not.ok(isQuietAt(nights, at('2026-11-30T20:59:00Z')), 'Monday 21:59: not yet');
  assert.ok(isQuietAt(nights, at('2026-12-05T05:00:00Z')), 'Saturday 06:00, after Friday night');
  assert.not.ok(isQuietAt(nights, at('2026-12-05T22:00:00Z')), 'Saturday 23:00');
  assert.not.ok(isQuietAt(nights, at('2026-11-30T05:00:00Z')), 'Monday 06:00, after Sunday night');
});

schedule('takes a window within a day, the whole day for equal times, and nothing without days', () => {
  const lunch: DndSchedule = { days: ['wed'], startMin: 12 * 60, endMin: 14 * 60, timeZone: 'UTC' };
  assert.ok(isQuietAt(lunch, at('2026-12-02T12:00:00Z')));
  assert.not.ok(isQuietAt(lunch, at('2026-12-02T14:00:00Z')));
  const sunday: DndSchedule = { days: ['sun'], startMin: 0, endMin: 0, timeZone: 'UTC' };
  assert.ok(isQuietAt(sunday, at('2026-12-06T23:59:00Z')));
  assert.not.ok(isQuietAt(sunday, at('2026-12-07T00:00:00Z')));
  assert.not.ok(isQuietAt({ ...nights, days: [] }, at('2026-11-30T21:30:00Z')));
});

schedule('says in how long the quiet time starts, within a bound, on the whole minute', () => {
  const monday2159 = at('2026-11-30T20:59:15.500Z');
  assert.is(quietStartsWithin(nights, monday2159, 45_000), 44_500, 'at 22:00 Paris');
  assert.is(quietStartsWithin(nights, monday2159, 44_499), null, 'not within the ring');
  assert.is(quietStartsWithin(nights, at('2026-11-30T21:30:00Z'), 45_000), 0, 'already on');
  assert.is(quietStartsWithin({ ...nights, days: [] }, monday2159, 45_000), null, 'no schedule');
  // Saturday 21:59 in Paris: no quiet time starts that evening, nor within the lookahead bound.
  assert.is(quietStartsWithin(nights, at('2026-12-05T20:59:00Z'), 24 * 3_600_000), null);
  assert.is(quietStartsWithin(nights, at('2026-11-30T20:50:00Z'), 24 * 3_600_000), MAX_QUIET_LOOKAHEAD_MS, 'the bound reaches 22:00 exactly');
});

schedule('knows IANA zones through Intl and refuses anything else', () => {
  assert.ok(isTimeZone('Europe/Paris'));
  assert.ok(isTimeZone('America/Argentina/Buenos_Aires'));
  assert.ok(isTimeZone('UTC'));
  for (const bad of ['Mars/Olympus', '', 'Europe/Paris\n', '../etc/passwd', 'A'.repeat(MAX_TIME_ZONE_CHARS + 1), 42, null])
    assert.not.ok(isTimeZone(bad), String(bad));
  assert.is(minutesOf('07:05'), 425);
  for (const bad of ['7:05', '24:00', '12:60', '12:00:00', 1200]) assert.is(minutesOf(bad), null, String(bad));
});

schedule.run();
