// The threads that run bcrypt (password-worker.ts), seen from the main thread. A thread runs one
// hash at a time; jobs beyond the threads wait here in order. passwords.ts's lanes decide what
// is sent and when (and bound it): with one hasher, this queue stays empty.
//
// A thread is started when a job needs it and kept; an idle thread does not keep the process
// alive (unref), a busy one does (a command-line tool awaiting a hash must not exit under it).
// A thread that dies fails its job with an error and is replaced at the next job.
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import type { HashReply, HashRequest, HashThreadHello } from './hash-thread-messages.js';

const WORKER_SCRIPT = new URL('./password-worker.js', import.meta.url);

/** What a hashing thread said about itself when it started. */
export type HashThreadInfo = Readonly<{ tid: number | null; unniced: string | null }>;

export type HashThreads = {
  hash(text: string, cost: number): Promise<string>;
  compare(text: string, hash: string): Promise<boolean>;
  /** The threads started and alive, once each has said hello (diagnostics and tests). */
  info(): Promise<HashThreadInfo[]>;
  /** Ends every thread; waiting and running jobs fail. Later jobs start new threads. */
  stop(): Promise<void>;
};

export type HashThreadOptions = Readonly<{
  /** Threads at most. */
  size: number;
  /** Called with each thread started (tests end one mid-job this way). */
  onStart?: (worker: Worker) => void;
}>;

type Job = { request: HashRequest; resolve(value: string | boolean): void; reject(error: Error): void };
type Thread = { worker: Worker; job: Job | null; hello: Promise<HashThreadInfo> };

/** Our failure, never the member's: a 500 whose message goes to the log only. */
const stopped = (why: string): AppError => new AppError('internal', 'hash_thread_stopped', `The password-hashing thread stopped before answering: ${why}.`);

export function createHashThreads(options: HashThreadOptions): HashThreads {
  const threads = new Set<Thread>();
  const queue: Job[] = [];
  let nextId = 1;

  const give = (thread: Thread, job: Job): void => {
    thread.job = job;
    thread.worker.ref();
    thread.worker.postMessage(job.request);
  };
  const pump = (): void => {
    for (const thread of threads) {
      const job = thread.job === null ? queue.shift() : undefined;
      if (job !== undefined) give(thread, job);
    }
    while (queue.length > 0 && threads.size < options.size) {
      const job = queue.shift();
      if (job !== undefined) give(start(), job);
    }
  };
  const start = (): Thread => {
    // None of the process's node flags: the thread needs none, and some (--input-type, --eval)
    // would stop it from loading its script.
    const worker = new Worker(WORKER_SCRIPT, { execArgv: [] });
    worker.unref();
    let said: (info: HashThreadInfo) => void = () => {};
    const thread: Thread = { worker, job: null, hello: new Promise((resolve) => (said = resolve)) };
    threads.add(thread);
    worker.on('message', (message: HashReply | HashThreadHello) => {
      if ('hello' in message) return said({ tid: message.tid, unniced: message.unniced });
      const job = thread.job;
      if (job === null || job.request.id !== message.id) return;
      thread.job = null;
      worker.unref();
      if (message.ok) job.resolve(message.value);
      else job.reject(new Error(message.message));
      pump();
    });
    // An uncaught error in the thread (its script failing to load, say) is followed by 'exit',
    // where the job fails with it; listening keeps it from crashing the main thread.
    let failure: string | null = null;
    worker.on('error', (error) => {
      failure = error.message;
    });
    worker.on('exit', (code) => {
      threads.delete(thread);
      said({ tid: null, unniced: 'the thread stopped' });
      thread.job?.reject(stopped(failure ?? `exit code ${code}`));
      thread.job = null;
      pump();
    });
    options.onStart?.(worker);
    return thread;
  };
  const submit = (request: HashRequest): Promise<string | boolean> =>
    new Promise((resolve, reject) => {
      queue.push({ request, resolve, reject });
      pump();
    });

  return {
    async hash(text, cost) {
      const value = await submit({ id: nextId++, op: 'hash', text, cost });
      if (typeof value !== 'string') throw new Error('the hashing thread answered a hash with a boolean');
      return value;
    },
    async compare(text, hash) {
      const value = await submit({ id: nextId++, op: 'compare', text, hash });
      if (typeof value !== 'boolean') throw new Error('the hashing thread answered a comparison with a string');
      return value;
    },
    info: () => Promise.all([...threads].map((thread) => thread.hello)),
    async stop() {
      const ending = [...threads];
      for (const job of queue.splice(0)) job.reject(stopped('the threads were stopped'));
      await Promise.all(ending.map((thread) => thread.worker.terminate()));
    },
  };
}
