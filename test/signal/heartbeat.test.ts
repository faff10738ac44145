// The heartbeat's schedule: every socket is visited once per interval, a slice per tick, so no
// tick pings them all at once.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHeartbeatSchedule, HEARTBEAT_SLICES } from '../../server/signal/heartbeat.js';

const schedule = suite('heartbeat schedule');

schedule('visits each of 5000 sockets exactly once per round, at most a slice of them per tick', () => {
  const heartbeats = createHeartbeatSchedule<number>();
  for (let socket = 0; socket < 5000; socket++) heartbeats.add(socket);
  const visits = new Map<number, number>();
  for (let tick = 0; tick < HEARTBEAT_SLICES; tick++) {
    const due = heartbeats.due();
    assert.ok(due.length <= Math.ceil(5000 / HEARTBEAT_SLICES), `tick ${tick} visits ${due.length} sockets`);
    for (const socket of due) visits.set(socket, (visits.get(socket) ?? 0) + 1);
  }
  assert.is(visits.size, 5000);
  assert.ok([...visits.values()].every((count) => count === 1));
});

schedule('forgets a removed socket and keeps visiting the others in the next rounds', () => {
  const heartbeats = createHeartbeatSchedule<string>(3);
  for (const socket of ['a', 'b', 'c', 'd']) heartbeats.add(socket);
  heartbeats.remove('b');
  const round = (): string[] => [heartbeats.due(), heartbeats.due(), heartbeats.due()].flat().sort();
  assert.equal(round(), ['a', 'c', 'd']);
  assert.equal(round(), ['a', 'c', 'd']);
});

schedule('ticks so that a whole round takes the interval', () => {
  assert.is(createHeartbeatSchedule(25).tickMs(25_000), 1000);
  assert.is(createHeartbeatSchedule(25).tickMs(10), 1);
});

schedule.run();
