// Bounds how many expensive jobs (bcrypt hashes, image decoding) run at once. They run on libuv's
// thread pool (4 threads by default), which file reads and DNS share: a burst of log-ins or
// uploads must leave threads free for everything else.
import { busy, rateLimited } from './errors.js';

/** A queue this long drains within seconds; asking again sooner would likely be refused again. */
const BUSY_RETRY_AFTER_S = 5;

export type Limiter = {
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs running and waiting, for tests and health. */
  readonly active: number;
  readonly waiting: number;
};

const queueFull = () => busy('busy', 'The service is busy; try again in a moment.', BUSY_RETRY_AFTER_S);

/**
 * Slots shared by several lanes of work. Each lane has its own bound on running and queued jobs;
 * a freed slot goes to the first lane (in creation order) that has a job waiting. So a flood in
 * a later lane (sign-ups) can neither take every slot nor fill the queue of an earlier lane
 * (log-ins), which always has `concurrency - later lanes' maxActive` slots to itself.
 */
export function createSharedLimiter(concurrency: number): { lane(maxActive: number, maxWaiting: number): Limiter } {
  type Lane = { active: number; readonly maxActive: number; readonly queue: (() => void)[] };
  const lanes: Lane[] = [];
  let active = 0;
  const canStart = (lane: Lane): boolean => active < concurrency && lane.active < lane.maxActive;
  const start = (lane: Lane): void => {
    lane.active += 1;
    active += 1;
  };
  const pump = (): void => {
    for (const lane of lanes) {
      while (lane.queue.length > 0 && canStart(lane)) {
        start(lane);
        lane.queue.shift()?.();
      }
    }
  };
  return {
    lane(maxActive, maxWaiting) {
      const lane: Lane = { active: 0, maxActive, queue: [] };
      lanes.push(lane);
      return {
        async run(job) {
          if (lane.queue.length === 0 && canStart(lane)) start(lane);
          else {
            if (lane.queue.length >= maxWaiting) throw queueFull();
            // pump() counts the job as started before resolving.
            await new Promise<void>((resolve) => lane.queue.push(resolve));
          }
          try {
            return await job();
          } finally {
            lane.active -= 1;
            active -= 1;
            pump();
          }
        },
        get active() {
          return lane.active;
        },
        get waiting() {
          return lane.queue.length;
        },
      };
    },
  };
}

export type FairLimiter = {
  /** Runs `job` for `key` (a member) in its turn; refuses past the key's or the queue's bound. */
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
};

/**
 * A limiter whose queue is served in turn, one job per key (a member) per round, and where one
 * key holds at most `maxPerKey` jobs (running and waiting): one member uploading in a loop
 * gets 429s, never the others' turn nor the whole queue.
 */
export function createFairLimiter(concurrency: number, maxWaiting: number, maxPerKey: number): FairLimiter {
  let active = 0;
  let waiting = 0;
  /** Waiting jobs per key; Map order is the turn order (a served key moves to the end). */
  const queues = new Map<string, (() => void)[]>();
  const held = new Map<string, number>();
  const next = (): void => {
    const entry = queues.entries().next();
    if (entry.done === true) return;
    const [key, queue] = entry.value;
    const resume = queue.shift();
    queues.delete(key);
    if (queue.length > 0) queues.set(key, queue);
    waiting -= 1;
    active += 1;
    resume?.();
  };
  return {
    async run(key, job) {
      const holding = held.get(key) ?? 0;
      if (holding >= maxPerKey) throw rateLimited('too_many_jobs', 'Wait for your previous request to finish.', BUSY_RETRY_AFTER_S);
      if (active >= concurrency && waiting >= maxWaiting) throw queueFull();
      held.set(key, holding + 1);
      try {
        if (active < concurrency && waiting === 0) active += 1;
        else {
          waiting += 1;
          await new Promise<void>((resolve) => {
            const queue = queues.get(key);
            if (queue === undefined) queues.set(key, [resolve]);
            else queue.push(resolve);
          });
        }
        try {
          return await job();
        } finally {
          active -= 1;
          next();
        }
      } finally {
        const left = (held.get(key) ?? 1) - 1;
        if (left === 0) held.delete(key);
        else held.set(key, left);
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return waiting;
    },
  };
}
