// Bounds how many expensive jobs (bcrypt hashes, image decoding) run at once. They run on libuv's
// thread pool (4 threads by default), which file reads and DNS share: a burst of log-ins or
// uploads must leave threads free for everything else.
import { busy, rateLimited, type AppError } from './errors.js';

/** A queue this long drains within seconds; asking again sooner would likely be refused again. */
export const BUSY_RETRY_AFTER_S = 5;

export type Limiter = {
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs running and waiting, for tests and health. */
  readonly active: number;
  readonly waiting: number;
};

const queueFull = () => busy('busy', 'The service is busy; try again in a moment.', BUSY_RETRY_AFTER_S);

export type FairLimiter = {
  /** Runs `job` for `key` in its turn; refuses past the key's or the queue's bound. */
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
};

/** A fair lane's bound per key: jobs one key may hold (running and waiting), and its refusal past that. */
export type PerKeyBound = Readonly<{ maxPerKey: number; refuse: () => AppError }>;

export type SharedLimiter = {
  /** A lane served first come, first served. */
  lane(maxActive: number, maxWaiting: number): Limiter;
  /** A lane whose queue is served in turn, one job per key per round, each key bounded. */
  fairLane(maxActive: number, maxWaiting: number, perKey: PerKeyBound): FairLimiter;
};

/**
 * Waiters served in turn, one per key per round. Map order is the turn order: a served key moves
 * to the end. A key that starts waiting joins at the end if one of its jobs is running, and
 * otherwise ahead of the keys that have one running: they are being served now, so a newcomer
 * (a member logging in from elsewhere during a storm) waits for the running job only, not for one
 * more of the storm's. A flood of new keys still joins behind every key already waiting without a
 * job running, so it cannot starve those. With one key, first come first served.
 */
function createTurns() {
  const queues = new Map<string, (() => void)[]>();
  /** Jobs running per key (only keys with one). */
  const running = new Map<string, number>();
  let size = 0;
  const joinQueue = (key: string, resume: () => void): void => {
    const firstRunning = (running.get(key) ?? 0) > 0 ? undefined : [...queues.keys()].find((other) => running.has(other));
    if (firstRunning === undefined) {
      queues.set(key, [resume]);
      return;
    }
    const reordered = [...queues];
    queues.clear();
    for (const [other, queue] of reordered) {
      if (other === firstRunning) queues.set(key, [resume]);
      queues.set(other, queue);
    }
  };
  return {
    get size() {
      return size;
    },
    wait(key: string): Promise<void> {
      size += 1;
      return new Promise<void>((resolve) => {
        const queue = queues.get(key);
        if (queue === undefined) joinQueue(key, resolve);
        else queue.push(resolve);
      });
    },
    /** Resumes the first waiter of the key whose turn it is (its job counts as running). */
    resumeNext(): void {
      const entry = queues.entries().next();
      if (entry.done === true) return;
      const [key, queue] = entry.value;
      const resume = queue.shift();
      queues.delete(key);
      if (queue.length > 0) queues.set(key, queue);
      size -= 1;
      this.started(key);
      resume?.();
    },
    /** A job of `key` started (resumed, or at once with nobody waiting). */
    started(key: string): void {
      running.set(key, (running.get(key) ?? 0) + 1);
    },
    finished(key: string): void {
      const left = (running.get(key) ?? 1) - 1;
      if (left === 0) running.delete(key);
      else running.set(key, left);
    },
  };
}

/** Every job of a plain lane shares this key: its turns are then first come, first served. */
const ONE_KEY = '';

/**
 * Slots shared by several lanes of work. Each lane has its own bound on running and queued jobs;
 * a freed slot goes to the first lane (in creation order) that has a job waiting. So a flood in
 * a later lane (sign-ups) can neither take every slot nor fill the queue of an earlier lane
 * (log-ins), which always has `concurrency - later lanes' maxActive` slots to itself. A fair
 * lane's queue is served in turn per key (a member, a client's network), so one key's flood
 * neither fills it (the per-key bound) nor delays the other keys by more than a job each.
 */
export function createSharedLimiter(concurrency: number): SharedLimiter {
  type Lane = { active: number; readonly maxActive: number; readonly turns: ReturnType<typeof createTurns> };
  const lanes: Lane[] = [];
  let active = 0;
  const canStart = (lane: Lane): boolean => active < concurrency && lane.active < lane.maxActive;
  const start = (lane: Lane): void => {
    lane.active += 1;
    active += 1;
  };
  const pump = (): void => {
    for (const lane of lanes) {
      while (lane.turns.size > 0 && canStart(lane)) {
        start(lane);
        lane.turns.resumeNext();
      }
    }
  };
  const addLane = (maxActive: number, maxWaiting: number, perKey: PerKeyBound | null): FairLimiter => {
    const lane: Lane = { active: 0, maxActive, turns: createTurns() };
    lanes.push(lane);
    /** Jobs each key holds, running or waiting (fair lanes only). */
    const held = new Map<string, number>();
    const release = (key: string): void => {
      const left = (held.get(key) ?? 1) - 1;
      if (left === 0) held.delete(key);
      else held.set(key, left);
    };
    const runInTurn = async <T>(key: string, job: () => Promise<T>): Promise<T> => {
      if (lane.turns.size === 0 && canStart(lane)) {
        start(lane);
        lane.turns.started(key);
      } else {
        if (lane.turns.size >= maxWaiting) throw queueFull();
        // pump() counts the job as started before resolving.
        await lane.turns.wait(key);
      }
      try {
        return await job();
      } finally {
        lane.active -= 1;
        active -= 1;
        lane.turns.finished(key);
        pump();
      }
    };
    return {
      async run(key, job) {
        if (perKey === null) return runInTurn(key, job);
        const holding = held.get(key) ?? 0;
        if (holding >= perKey.maxPerKey) throw perKey.refuse();
        held.set(key, holding + 1);
        try {
          return await runInTurn(key, job);
        } finally {
          release(key);
        }
      },
      get active() {
        return lane.active;
      },
      get waiting() {
        return lane.turns.size;
      },
    };
  };
  return {
    lane(maxActive, maxWaiting) {
      const lane = addLane(maxActive, maxWaiting, null);
      return {
        run: (job) => lane.run(ONE_KEY, job),
        get active() {
          return lane.active;
        },
        get waiting() {
          return lane.waiting;
        },
      };
    },
    fairLane: addLane,
  };
}

/**
 * A limiter of its own whose queue is served in turn, one job per key (a member) per round, and
 * where one key holds at most `maxPerKey` jobs (running and waiting): one member uploading in a
 * loop gets 429s, never the others' turn nor the whole queue.
 */
export function createFairLimiter(concurrency: number, maxWaiting: number, maxPerKey: number): FairLimiter {
  const refuse = () => rateLimited('too_many_jobs', 'Wait for your previous request to finish.', BUSY_RETRY_AFTER_S);
  return createSharedLimiter(concurrency).fairLane(concurrency, maxWaiting, { maxPerKey, refuse });
}
