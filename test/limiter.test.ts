// The bounds on expensive jobs: lanes that share threads with a priority, and a queue served
// fairly per member. Jobs here are promises the test resolves, so every step is deterministic.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rateLimited, type AppError } from '../server/errors.js';
import { createFairLimiter, createSharedLimiter } from '../server/limiter.js';

/** A job that runs until the test finishes it; `order` records when each one started. */
function controlled(order: string[]) {
  const finishers = new Map<string, () => void>();
  return {
    job: (name: string) => () =>
      new Promise<string>((resolve) => {
        order.push(name);
        finishers.set(name, () => resolve(name));
      }),
    finish: async (name: string) => {
      finishers.get(name)?.();
      // Let the limiter hand the slot on before the test looks.
      for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
    },
  };
}

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'ok',
    (error: AppError) => error.code,
  );

const lanes = suite('createSharedLimiter');

lanes('keeps a slot free of the lower lane and hands freed slots to the higher lane first', async () => {
  const order: string[] = [];
  const { job, finish } = controlled(order);
  const shared = createSharedLimiter(2);
  const logins = shared.lane(2, 10);
  const signups = shared.lane(1, 2);
  const s1 = signups.run(job('s1'));
  const s2 = signups.run(job('s2'));
  const s3 = signups.run(job('s3'));
  assert.is(await codeOf(signups.run(job('s4'))), 'busy', 'the sign-up queue is bounded on its own');
  const l1 = logins.run(job('l1'));
  const l2 = logins.run(job('l2'));
  assert.equal(order, ['s1', 'l1'], 'one sign-up at a time; the other slot went to a log-in');
  await finish('s1');
  assert.equal(order, ['s1', 'l1', 'l2'], 'the freed slot went to the waiting log-in, not the waiting sign-up');
  await finish('l1');
  assert.equal(order, ['s1', 'l1', 'l2', 's2']);
  await finish('l2');
  await finish('s2');
  await finish('s3');
  assert.equal(await Promise.all([s1, s2, s3, l1, l2]), ['s1', 's2', 's3', 'l1', 'l2']);
  assert.is(logins.active + signups.active + logins.waiting + signups.waiting, 0);
});

lanes('serves a fair lane in turn per key, refuses a key past its bound, and still comes before the lane after it', async () => {
  const order: string[] = [];
  const { job, finish } = controlled(order);
  const shared = createSharedLimiter(1);
  const refuse = () => rateLimited('too_many_logins', 'Too many from here.', 5);
  const logins = shared.fairLane(1, 10, { maxPerKey: 4, refuse });
  const signups = shared.lane(1, 5);
  const flood = ['a1', 'a2', 'a3', 'a4'].map((name) => logins.run('a', job(name)));
  const s1 = signups.run(job('s1'));
  const b1 = logins.run('b', job('b1'));
  assert.is(await codeOf(logins.run('a', job('a5'))), 'too_many_logins', 'a fifth job of one key');
  const c1 = logins.run('c', job('c1'));
  assert.is(logins.waiting, 5);
  for (const name of ['a1', 'b1', 'c1', 'a2', 'a3', 'a4', 's1']) await finish(name);
  assert.equal(order, ['a1', 'b1', 'c1', 'a2', 'a3', 'a4', 's1'], 'b and c waited for the flood’s running job only; the sign-up for every log-in');
  assert.equal(await Promise.all([...flood, b1, c1, s1]), ['a1', 'a2', 'a3', 'a4', 'b1', 'c1', 's1']);
  assert.is(logins.active + logins.waiting + signups.active + signups.waiting, 0);
});

lanes('bounds the whole queue of a fair lane too: past it, busy whatever the key', async () => {
  const order: string[] = [];
  const { job, finish } = controlled(order);
  const logins = createSharedLimiter(1).fairLane(1, 2, { maxPerKey: 10, refuse: () => rateLimited('too_many_logins', 'Too many from here.', 5) });
  const running = [logins.run('a', job('a1')), logins.run('b', job('b1')), logins.run('c', job('c1'))];
  assert.is(await codeOf(logins.run('d', job('d1'))), 'busy');
  for (const name of ['a1', 'b1', 'c1']) await finish(name);
  assert.equal(await Promise.all(running), ['a1', 'b1', 'c1']);
  assert.is(await logins.run('d', async () => 'd1'), 'd1', 'a refusal holds nothing: the key is served once there is room');
});

lanes.run();

const fair = suite('createFairLimiter');

fair('serves waiting members in turn and bounds each member, so one member never fills the queue', async () => {
  const order: string[] = [];
  const { job, finish } = controlled(order);
  const limiter = createFairLimiter(1, 3, 2);
  const a1 = limiter.run('a', job('a1'));
  const a2 = limiter.run('a', job('a2'));
  assert.is(await codeOf(limiter.run('a', job('a3'))), 'too_many_jobs', 'a third job of one member');
  const b1 = limiter.run('b', job('b1'));
  const c1 = limiter.run('c', job('c1'));
  assert.is(await codeOf(limiter.run('d', job('d1'))), 'busy', 'the queue is full');
  await finish('a1');
  const a3 = limiter.run('a', job('a3'));
  for (const name of ['b1', 'c1', 'a2']) await finish(name);
  await finish('a3');
  assert.equal(order, ['a1', 'b1', 'c1', 'a2', 'a3']);
  assert.equal(await Promise.all([a1, a2, b1, c1, a3]), ['a1', 'a2', 'b1', 'c1', 'a3']);
  assert.is(limiter.active + limiter.waiting, 0);
});

fair('puts a newcomer ahead of a member whose job is running, but behind everyone already waiting without one', async () => {
  const order: string[] = [];
  const { job, finish } = controlled(order);
  const limiter = createFairLimiter(1, 10, 5);
  const jobs = [limiter.run('storm', job('s1')), limiter.run('storm', job('s2')), limiter.run('early', job('e1'))];
  // A flood of new keys, each with one job, while the storm's first job runs.
  for (const key of ['n1', 'n2']) jobs.push(limiter.run(key, job(key)));
  jobs.push(limiter.run('storm', job('s3')));
  for (const name of ['s1', 'e1', 'n1', 'n2', 's2', 's3']) await finish(name);
  assert.equal(order, ['s1', 'e1', 'n1', 'n2', 's2', 's3'], 'the storm waits its turn; the early member is not pushed back by the newcomers');
  await Promise.all(jobs);
});

fair('takes turns: a member with two waiting jobs goes after others who wait', async () => {
  const order: string[] = [];
  const { job, finish } = controlled(order);
  const limiter = createFairLimiter(1, 10, 3);
  const jobs = [limiter.run('x', job('x0')), limiter.run('a', job('a1')), limiter.run('a', job('a2')), limiter.run('b', job('b1'))];
  for (const name of ['x0', 'a1', 'b1', 'a2']) await finish(name);
  assert.equal(order, ['x0', 'a1', 'b1', 'a2']);
  await Promise.all(jobs);
});

fair.run();
