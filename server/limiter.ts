// Bounds how many expensive jobs (bcrypt hashes, image decoding) run at once. They run on libuv's
// thread pool (4 threads by default), which file reads and DNS share: a burst of log-ins or
// uploads must leave threads free for everything else.
import { busy } from './errors.js';

/** A queue this long drains within seconds; asking again sooner would likely be refused again. */
const BUSY_RETRY_AFTER_S = 5;

export type Limiter = {
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs running and waiting, for tests and health. */
  readonly active: number;
  readonly waiting: number;
};

/** Runs at most `concurrency` jobs at once; past `maxWaiting` queued jobs it refuses with 503. */
export function createLimiter(concurrency: number, maxWaiting: number): Limiter {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = (): void => {
    active -= 1;
    queue.shift()?.();
  };
  return {
    async run(job) {
      if (active >= concurrency) {
        if (queue.length >= maxWaiting) {
          throw busy('busy', 'The service is busy; try again in a moment.', BUSY_RETRY_AFTER_S);
        }
        await new Promise<void>((resolve) => queue.push(resolve));
      }
      active += 1;
      try {
        return await job();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
