// What the main thread and a password-hashing thread (password-worker.ts) say to each other,
// and the priority the thread runs at. Apart from the worker so that importing these starts nothing.

/**
 * The hashing thread's nice value (0 is the default, 19 the lowest priority). Under contention
 * a nice-10 thread gets about a tenth of a core against one nice-0 thread: the event loop comes
 * first, yet a log-in on a box busy with something else still finishes in seconds (at 19 it
 * would get ~1.5%: a 0.25 s hash could take 15 s).
 */
export const HASH_THREAD_NICE = 10;

export type HashRequest =
  | Readonly<{ id: number; op: 'hash'; text: string; cost: number }>
  | Readonly<{ id: number; op: 'compare'; text: string; hash: string }>;

export type HashReply = Readonly<{ id: number; ok: true; value: string | boolean }> | Readonly<{ id: number; ok: false; message: string }>;

/**
 * The thread's first message: its Linux thread id (null elsewhere or without /proc), and why it
 * kept the default priority (null when it lowered it).
 */
export type HashThreadHello = Readonly<{ hello: true; tid: number | null; unniced: string | null }>;
