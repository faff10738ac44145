// Password rules and hashing; the only module that imports bcrypt.
//
// bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a prefix
// would match. Every password is therefore pre-hashed with SHA-256 and base64-encoded (44 ASCII
// bytes, never a NUL) before bcrypt: every byte counts, whatever the length.
import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { createLimiter, type Limiter } from '../limiter.js';

/** CNIL's 50-bit case (with throttling) and ASVS's no-composition-rule advice: length only. */
export const MIN_PASSWORD_LENGTH = 12;
/** Long passphrases are welcome; past this the input is abuse, not a password. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Hashes running at once: two of libuv's four threads, the others stay free for I/O and images. */
const HASH_CONCURRENCY = 2;
/** Log-ins queued beyond this get a 503 rather than piling up. */
const HASH_MAX_WAITING = 200;

export type PasswordProblem = 'required' | 'too_short' | 'too_long';

/** Counts characters (code points), not UTF-16 units or bytes. */
export function passwordProblem(password: unknown): PasswordProblem | null {
  if (typeof password !== 'string' || password.length === 0) return 'required';
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (length > MAX_PASSWORD_LENGTH) return 'too_long';
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
