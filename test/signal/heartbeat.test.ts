// The heartbeat's schedule: every socket is visited once per interval, a slice per tick, so no
// tick pings them all at once.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHeartbeatSchedule, HEARTBEAT_TICK_MS, heartbeatSlices } from '../../server/signal/heartbeat.js';
import { HEARTBEAT_INTERVAL_MS } from '../../server/signal/server.js';

const schedule = suite('heartbeat schedule');

/** The most sockets one tick of the service's heartbeat may ping at 10k connected. */
const MOST_PINGS_PER_TICK = 8;

schedule('visits each of 10000 sockets exactly once per round of the service interval, at most 8 of them per tick', () => {
  const slices = heartbeatSlices(HEARTBEAT_INTERVAL_MS);
  const heartbeats = createHeartbeatSchedule<number>(slices);
  for (let socket = 0; socket < 10_000; socket++) heartbeats.add(socket);
  const visits = new Map<number, number>();
  for (let tick = 0; tick < slices; tick++) {
    const due = heartbeats.due();
    assert.ok(due.length <= MOST_PINGS_PER_TICK, `tick ${tick} visits ${due.length} sockets`);
    for (const socket of due) visits.set(socket, (visits.get(socket) ?? 0) + 1);
  }
  assert.is(visits.size, 10_000);
  assert.ok([...visits.values()].every((count) => count === 1));
  assert.is(heartbeats.tickMs(HEARTBEAT_INTERVAL_MS), HEARTBEAT_TICK_MS);
});

schedule('forgets a removed socket and keeps visiting the others in the next rounds', () => {
  const heartbeats = createHeartbeatSchedule<string>(3);
  for (const socket of ['a', 'b', 'c', 'd']) heartbeats.add(socket);
  heartbeats.remove('b');
  const round = (): string[] => [heartbeats.due(), heartbeats.due(), heartbeats.due()].flat().sort();
  assert.equal(round(), ['a', 'c', 'd']);
  assert.equal(round(), ['a', 'c', 'd']);
});

schedule('ticks so that a whole round takes the interval; an interval under a tick is one slot', () => {
  assert.is(createHeartbeatSchedule(25).tickMs(25_000), 1000);
  assert.is(createHeartbeatSchedule(25).tickMs(10), 1);
  assert.is(heartbeatSlices(25_000), 25_000 / HEARTBEAT_TICK_MS);
  assert.is(heartbeatSlices(HEARTBEAT_TICK_MS / 2), 1);
  assert.is(createHeartbeatSchedule(heartbeatSlices(HEARTBEAT_TICK_MS / 2)).tickMs(HEARTBEAT_TICK_MS / 2), HEARTBEAT_TICK_MS / 2);
});

schedule.run();
