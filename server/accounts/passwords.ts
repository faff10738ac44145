// Password rules and hashing; the only module that imports bcrypt.
//
// bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a prefix
// would match. Every password is therefore pre-hashed with SHA-256 and base64-encoded (44 ASCII
// bytes, never a NUL) before bcrypt: every byte counts, whatever the length.
import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { PASSWORD_MAX_CODE_POINTS, PASSWORD_MIN_CODE_POINTS } from '../contract/passwords.js';
import { createLimiter, type Limiter } from '../limiter.js';

/** Hashes running at once: two of libuv's four threads, the others stay free for I/O and images. */
const HASH_CONCURRENCY = 2;
/** Log-ins queued beyond this get a 503 rather than piling up. */
const HASH_MAX_WAITING = 200;

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
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the time of a real verification, for unknown e-mails: both answers take as long. */
  verifyNothing(password: string): Promise<false>;
};

export function createPasswordHasher(cost: number, limiter: Limiter = createLimiter(HASH_CONCURRENCY, HASH_MAX_WAITING)): PasswordHasher {
  // A hash of a random value at the same cost: comparing against it costs what a real check
  // costs. Made now, off the event loop, so the first unknown e-mail is not slower than the rest.
  const dummy = bcrypt.hash(prehash(randomBytes(32).toString('base64')), cost);
  dummy.catch(() => {}); // a failure surfaces at the first use instead
  const dummyHash = (): Promise<string> => dummy;
  return {
    hash: (password) => limiter.run(() => bcrypt.hash(prehash(password), cost)),
    verify: (password, hash) => limiter.run(() => bcrypt.compare(prehash(password), hash)),
    async verifyNothing(password) {
      const hash = await dummyHash();
      await limiter.run(() => bcrypt.compare(prehash(password), hash));
      return false;
    },
  };
}

function prehash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('base64');
}
