// Password rules and hashing; the only module that imports bcrypt.
//
// bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a prefix
// would match. Every password is therefore pre-hashed with SHA-256 and base64-encoded (44 ASCII
// bytes, never a NUL) before bcrypt: every byte counts, whatever the length.
import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import { PASSWORD_MAX_CODE_POINTS, PASSWORD_MIN_CODE_POINTS } from '../contract/passwords.js';
import { networkBlock } from '../client-address.js';
import { rateLimited } from '../errors.js';
import { BUSY_RETRY_AFTER_S, createSharedLimiter, type FairLimiter, type Limiter } from '../limiter.js';

/**
 * Hashes running at once: one per core but one, which stays free for the event loop (on two
 * cores, two hashes at once made signaling wait up to 160 ms); at least one. libuv's other
 * threads stay free for I/O and images.
 */
export function hashConcurrencyFor(cores: number): number {
  return Math.max(1, cores - 1);
}
/** Log-ins (and members' own password checks) queued beyond this get a 503 rather than piling up. */
const MEMBER_HASH_MAX_WAITING = 200;
/**
 * Log-ins and password checks one network (IPv4 /24, IPv6 /64) may have running or waiting; more
 * get a 429. About ten seconds of hashing on one thread at the default cost: an office's morning
 * log-ins fit, and a storm from one network holds a quarter of the queue at most.
 */
export const MEMBER_HASH_MAX_PER_NETWORK = 50;
/** A full network's queue drains within seconds. */
const NETWORK_RETRY_AFTER_S = BUSY_RETRY_AFTER_S;
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

/**
 * The members' lane (log-ins, password checks and changes) takes turns by the client's network:
 * `from` is the client's address (ctx.ip, which honours PORTHELLO_TRUST_PROXY). It is never
 * logged; the lane keeps only its network, and only while a job waits or runs.
 */
export type PasswordHasher = {
  /** A member's new password (password change, reset): the members' lane. */
  hash(password: string, from: string): Promise<string>;
  /** A new account's password: the low-priority sign-up lane. */
  hashForSignup(password: string): Promise<string>;
  verify(password: string, hash: string, from: string): Promise<boolean>;
  /** Spends the time of a real verification, in the same lane and turn, for unknown e-mails: both answers take as long. */
  verifyNothing(password: string, from: string): Promise<false>;
};

/** `members` is keyed by network (networkBlock), served in turn. */
export type HashLanes = Readonly<{ members: FairLimiter; signups: Limiter }>;

const tooManyFromNetwork = () =>
  rateLimited('too_many_logins', 'Too many log-ins are waiting from your network; try again in a moment.', NETWORK_RETRY_AFTER_S);

/**
 * The members' lane first: a freed thread goes to a waiting log-in before any sign-up. Within
 * it, one job per network per round: a member logging in while a storm comes from elsewhere
 * waits for about one hash per other network with jobs waiting, not for the whole storm.
 */
export function createHashLanes(concurrency = hashConcurrencyFor(availableParallelism())): HashLanes {
  const shared = createSharedLimiter(concurrency);
  const members = shared.fairLane(concurrency, MEMBER_HASH_MAX_WAITING, { maxPerKey: MEMBER_HASH_MAX_PER_NETWORK, refuse: tooManyFromNetwork });
  return { members, signups: shared.lane(SIGNUP_HASH_MAX_ACTIVE, SIGNUP_HASH_MAX_WAITING) };
}

export function createPasswordHasher(cost: number, lanes: HashLanes = createHashLanes()): PasswordHasher {
  const limiter = lanes.members;
  // A hash of a random value at the same cost: comparing against it costs what a real check
  // costs. Made now, off the event loop, so the first unknown e-mail is not slower than the rest.
  const dummy = bcrypt.hash(prehash(randomBytes(32).toString('base64')), cost);
  dummy.catch(() => {}); // a failure surfaces at the first use instead
  const dummyHash = (): Promise<string> => dummy;
  return {
    hash: (password, from) => limiter.run(networkBlock(from), () => bcrypt.hash(prehash(password), cost)),
    hashForSignup: (password) => lanes.signups.run(() => bcrypt.hash(prehash(password), cost)),
    verify: (password, hash, from) => limiter.run(networkBlock(from), () => bcrypt.compare(prehash(password), hash)),
    async verifyNothing(password, from) {
      const hash = await dummyHash();
      await limiter.run(networkBlock(from), () => bcrypt.compare(prehash(password), hash));
      return false;
    },
  };
}

function prehash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('base64');
}
