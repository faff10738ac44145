// The threads bcrypt runs on (server/accounts/hash-threads.ts, password-worker.ts): real worker
// threads, real bcrypt, the thread's nice value read from /proc.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import bcrypt from 'bcrypt';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from '../../server/errors.js';
import { createHashThreads } from '../../server/accounts/hash-threads.js';
import { HASH_THREAD_NICE } from '../../server/accounts/hash-thread-messages.js';
import { createHashLanes, createPasswordHasher } from '../../server/accounts/passwords.js';
import { projectPath } from '../../server/paths.js';
import { START_TIMEOUT_MS } from '../helpers/live-server.js';
import { withTimeout } from '../helpers/wait.js';

/** What passwords.ts hands bcrypt, computed independently: SHA-256, base64. */
const prehashed = (password: string): string => createHash('sha256').update(password, 'utf8').digest('base64');

/** /proc/self/task/TID/stat: the fields after "(comm)" start at the state, field 3; nice is field 19, CPU ticks 14 and 15. */
function threadStat(tid: number): { nice: number; cpuTicks: number } {
  const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return { nice: Number(fields[16]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

const threads = suite('password-hashing threads');

threads('hash as plain bcrypt does: each verifies what the other made', async () => {
  const pool = createHashThreads({ size: 1 });
  try {
    const made = await pool.hash('made on the thread', 4);
    assert.match(made, /^\$2b\$04\$/);
    assert.ok(bcrypt.compareSync('made on the thread', made));
    const plain = bcrypt.hashSync('made by plain bcrypt', 4);
    assert.ok(await pool.compare('made by plain bcrypt', plain));
    assert.not.ok(await pool.compare('something else', plain));
  } finally {
    await pool.stop();
  }
});

threads('a hasher verifies the hashes stored before (bcrypt of the SHA-256) and stores the same kind', async () => {
  const hasher = createPasswordHasher(4);
  const stored = await bcrypt.hash(prehashed('an existing member password'), 4);
  assert.ok(await hasher.verify('an existing member password', stored));
  assert.not.ok(await hasher.verify('an existing member passwort', stored));
  const fresh = await hasher.hashForSignup('a new member password');
  assert.ok(await bcrypt.compare(prehashed('a new member password'), fresh));
});

threads('an error of bcrypt fails that job only; the thread goes on', async () => {
  const pool = createHashThreads({ size: 1 });
  try {
    const error = await pool.hash('text', 99).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    assert.instance(error, Error, 'an impossible cost is refused');
    assert.match((error as Error).message, /Invalid salt/);
    assert.ok(await pool.compare('still here', bcrypt.hashSync('still here', 4)));
    assert.is((await pool.info()).length, 1, 'the same thread answered');
  } finally {
    await pool.stop();
  }
});

threads('hashing runs on a thread of lower priority; the event loop keeps its own', async () => {
  if (process.platform !== 'linux') {
    console.log('  not Linux: the thread keeps the default priority (information)');
    return;
  }
  const mainNice = threadStat(process.pid).nice;
  const pool = createHashThreads({ size: 1 });
  try {
    await pool.hash('start the thread', 4);
    const [info] = await pool.info();
    const tid = info?.tid ?? null;
    if (tid === null) throw new Error('the thread did not report its id');
    assert.is.not(tid, process.pid, 'a thread of its own');
    if (mainNice >= HASH_THREAD_NICE) {
      // Lowering the nice value needs privileges: a test run already niced past it leaves it be.
      console.log(`  this process runs at nice ${mainNice}: the thread cannot go to ${HASH_THREAD_NICE} (information)`);
      return;
    }
    assert.is(info?.unniced, null);
    assert.is(threadStat(tid).nice, HASH_THREAD_NICE, 'the hashing thread is niced');
    assert.is(threadStat(process.pid).nice, mainNice, 'the main thread is not');
    // bcrypt's work lands on that thread, not on libuv's pool: its CPU time grows by the hash.
    const before = threadStat(tid).cpuTicks;
    await pool.hash('a costly one', 12);
    assert.ok(threadStat(tid).cpuTicks > before, 'the niced thread did the hashing');
  } finally {
    await pool.stop();
  }
});

threads('a thread that dies fails its job with an error and is replaced at the next job', async () => {
  const started: Worker[] = [];
  const pool = createHashThreads({ size: 1, onStart: (worker) => started.push(worker) });
  try {
    await pool.hash('warm up', 4);
    // Cost 14 takes about a second: the thread is still on it when it is ended.
    const pending = pool.hash('a long one', 14);
    const failure = pending.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    await started[0]?.terminate();
    const error = await withTimeout(failure, 'the pending hash to fail');
    assert.instance(error, AppError);
    assert.is((error as AppError).code, 'hash_thread_stopped');
    assert.ok(bcrypt.compareSync('after', await pool.hash('after', 4)), 'the next job gets a new thread');
    assert.is(started.length, 2);
  } finally {
    await pool.stop();
  }
});

threads('stopping fails the waiting jobs instead of leaving them hanging', async () => {
  const pool = createHashThreads({ size: 1 });
  const running = pool.hash('running', 12).then(
    () => 'answered',
    () => 'failed',
  );
  const waiting = pool.hash('waiting', 12).then(
    () => 'answered',
    () => 'failed',
  );
  await pool.stop();
  assert.is(await withTimeout(waiting, 'the waiting job to fail'), 'failed');
  assert.is(await withTimeout(running, 'the running job to end'), 'failed');
});

threads('idle threads let a process exit; a busy one keeps it until the hash is done', async () => {
  // A child process awaits a hash at top level, then leaves the thread idle. Were a busy thread
  // not holding the process, Node would exit mid-await (code 13); were an idle one, never.
  const passwords = pathToFileURL(projectPath('dist', 'server', 'accounts', 'passwords.js')).href;
  const script = `
    const { createPasswordHasher } = await import(${JSON.stringify(passwords)});
    const hasher = createPasswordHasher(10);
    const hash = await hasher.hash('a password of a member');
    console.log(await hasher.verify('a password of a member', hash) ? 'verified' : 'wrong');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await withTimeout(
    new Promise<number | null>((resolve) => child.once('exit', resolve)),
    'the process to exit by itself',
    START_TIMEOUT_MS,
  ).finally(() => child.kill('SIGKILL'));
  assert.is(code, 0);
  assert.is(output.trim(), 'verified');
});

threads('the lanes still bound what reaches the threads: a full members queue answers busy at once', async () => {
  const lanes = createHashLanes(1);
  const hasher = createPasswordHasher(4, lanes);
  const hash = await hasher.hash('a member password');
  let release: () => void = () => {};
  const blocker = lanes.members.run(() => new Promise<void>((resolve) => (release = resolve)));
  const queued = Array.from({ length: 200 }, () => hasher.verify('a member password', hash));
  const refused = await hasher.verify('a member password', hash).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  assert.instance(refused, AppError);
  assert.is((refused as AppError).kind, 'busy');
  release();
  await blocker;
  assert.ok((await Promise.all(queued)).every(Boolean), 'the queued checks all ran on the threads');
});

threads.run();
