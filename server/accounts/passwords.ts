// Password rules and hashing. bcrypt itself runs on threads of lowered priority
// (hash-threads.ts, password-worker.ts: the only module that imports bcrypt); this module decides
// what runs and in which order.
//
// bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a prefix
// would match. Every password is therefore pre-hashed with SHA-256 and base64-encoded (44 ASCII
// bytes, never a NUL) before bcrypt: every byte counts, whatever the length.
import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { PASSWORD_MAX_CODE_POINTS, PASSWORD_MIN_CODE_POINTS } from '../contract/passwords.js';
import { createSharedLimiter, type Limiter } from '../limiter.js';
import { createHashThreads, type HashThreads } from './hash-threads.js';

/**
 * Hashes running at once: one per core but one, which stays free for the event loop (on two
 * cores, two hashes at once made signaling wait up to 160 ms); at least one. Each runs on its
 * own thread (not libuv's pool, which stays free for I/O and images).
 */
export function hashConcurrencyFor(cores: number): number {
  return Math.max(1, cores - 1);
}
/** Log-ins (and members' own password checks) queued beyond this get a 503 rather than piling up. */
const MEMBER_HASH_MAX_WAITING = 200;
/**
 * Sign-ups hash on at most one thread, behind every waiting log-in: a sign-up flood leaves a
 * member's log-in waiting for one hash at most. Few queue; the rest get a 503 at once.
 */
const SIGNUP_HASH_MAX_ACTIVE = 1;
const SIGNUP_HASH_MAX_WAITING = 10;

export type PasswordProblem = 'required' | 'too_short' | 'too_long';

/** Counts characters (code points), not UTF-16 units or bytes. */
export function passwordProblem(password: unknown): PasswordProblem | null {
  if (typeof password !== 'string' || password.length === 0) return 'required';
  const length = [...password].length;
  if (length < PASSWORD_MIN_CODE_POINTS) return 'too_short';
  if (length > PASSWORD_MAX_CODE_POINTS) return 'too_long';
  return null;
}

export type PasswordHasher = {
  /** A member's new password (password change): the members' lane. */
  hash(password: string): Promise<string>;
  /** A new account's password: the low-priority sign-up lane. */
  hashForSignup(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the time of a real verification, for unknown e-mails: both answers take as long. */
  verifyNothing(password: string): Promise<false>;
};

export type HashLanes = Readonly<{ members: Limiter; signups: Limiter }>;

/** The members' lane first: a freed thread goes to a waiting log-in before any sign-up. */
export function createHashLanes(concurrency = hashConcurrencyFor(availableParallelism())): HashLanes {
  const shared = createSharedLimiter(concurrency);
  const members = shared.lane(concurrency, MEMBER_HASH_MAX_WAITING);
  return { members, signups: shared.lane(SIGNUP_HASH_MAX_ACTIVE, SIGNUP_HASH_MAX_WAITING) };
}

let processThreads: HashThreads | null = null;

/**
 * The process's hashing threads, one per hash the lanes let run at once. Shared by every hasher
 * of the process (the server has one; a test process makes many servers): threads are started
 * when first needed and end with the process (idle ones do not keep it alive).
 */
export function sharedHashThreads(): HashThreads {
  processThreads ??= createHashThreads({ size: hashConcurrencyFor(availableParallelism()) });
  return processThreads;
}

export function createPasswordHasher(cost: number, lanes: HashLanes = createHashLanes(), threads: HashThreads = sharedHashThreads()): PasswordHasher {
  const limiter = lanes.members;
  // A hash of a random value at the same cost: comparing against it costs what a real check
  // costs. Made now, off the event loop, so the first unknown e-mail is not slower than the rest.
  const makeDummy = (): Promise<string> => threads.hash(prehash(randomBytes(32).toString('base64')), cost);
  let dummy = makeDummy();
  // A failure (a thread that died) surfaces at the first use, which makes it again.
  dummy.catch((error: unknown) => error);
  const dummyHash = (): Promise<string> =>
    dummy.catch(() => {
      dummy = makeDummy();
      return dummy;
    });
  return {
    hash: (password) => limiter.run(() => threads.hash(prehash(password), cost)),
    hashForSignup: (password) => lanes.signups.run(() => threads.hash(prehash(password), cost)),
    verify: (password, hash) => limiter.run(() => threads.compare(prehash(password), hash)),
    async verifyNothing(password) {
      const hash = await dummyHash();
      await limiter.run(() => threads.compare(prehash(password), hash));
      return false;
    },
  };
}

function prehash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('base64');
}
