// A password-hashing thread (a worker_threads worker started by hash-threads.ts). It runs
// bcrypt's synchronous calls, so the work happens on this thread, whose scheduling priority it
// lowers first: on a box whose cores are all busy, the event loop (signaling) and the other
// processes get the CPU before a hash does. A hash still gets a whole core when one is idle.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcrypt';
import { HASH_THREAD_NICE, type HashReply, type HashRequest, type HashThreadHello } from './hash-thread-messages.js';

/** This thread's id on Linux (/proc/thread-self links to "<pid>/task/<tid>"), for diagnostics and tests. */
function linuxThreadId(): number | null {
  if (process.platform !== 'linux') return null;
  let link: string;
  try {
    link = readlinkSync('/proc/thread-self');
  } catch (error) {
    // No /proc (a chroot) or no access to it: the id only serves diagnostics, hashing does without.
    if (typeof (error as NodeJS.ErrnoException).code === 'string') return null;
    throw error;
  }
  const tid = Number(link.split('/').pop());
  return Number.isSafeInteger(tid) && tid > 0 ? tid : null;
}

/**
 * Only on Linux, where the nice value belongs to each thread and setpriority(PRIO_PROCESS, 0)
 * (what os.setPriority(n) calls) changes the calling thread alone. On macOS and the BSDs the
 * same call renices the whole process, the event loop included: there the thread keeps the
 * default priority. A refusal (a sandbox forbidding the call) leaves it at the default too.
 */
function lowerOwnPriority(): string | null {
  if (process.platform !== 'linux') return `setpriority is per process on ${process.platform}`;
  try {
    setPriority(HASH_THREAD_NICE);
    return null;
  } catch (error) {
    // Hashing works the same, only at the default priority; the main thread is told why.
    return error instanceof Error ? error.message : String(error);
  }
}

function answer(request: HashRequest): HashReply {
  try {
    const value = request.op === 'hash' ? bcrypt.hashSync(request.text, request.cost) : bcrypt.compareSync(request.text, request.hash);
    return { id: request.id, ok: true, value };
  } catch (error) {
    return { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

const port = parentPort;
if (port === null) throw new Error('password-worker.js runs only as a worker thread (see hash-threads.ts)');
const hello: HashThreadHello = { hello: true, tid: linuxThreadId(), unniced: lowerOwnPriority() };
port.postMessage(hello);
port.on('message', (request: HashRequest) => port.postMessage(answer(request)));
