// The first admin of a fresh instance. While no admin exists, start-up issues a one-time setup
// link (/setup/<token>); the account created through it is an admin, and from then on the link
// is worth nothing. The token lives in this process's memory, hashed; a restart issues another.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { SignupGate } from '../accounts/signup-gate.js';
import { hashToken } from '../accounts/session-service.js';
import { forbidden } from '../errors.js';

/** 256 bits, like session tokens. */
const SETUP_TOKEN_BYTES = 32;
const SETUP_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const SETUP_PATH_PREFIX = '/setup/';

export type FirstAdminSetup = Readonly<{
  /** No admin account exists yet. */
  pending(): boolean;
  /** A new setup token while no admin exists (the previous one stops working); null otherwise. */
  issue(): string | null;
  /** Whether the token is the current one and no admin exists yet. */
  isValid(token: string): boolean;
  /** The sign-up gate of the setup form: the token must be valid, checked again in the transaction. */
  gate(token: string): SignupGate;
}>;

export function createFirstAdminSetup(db: Database): FirstAdminSetup {
  const adminExists = db.prepare("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1").pluck();
  let tokenHash: Buffer | null = null;
  const pending = (): boolean => adminExists.get() === undefined;
  const isValid = (token: string): boolean => {
    if (tokenHash === null || !SETUP_TOKEN_PATTERN.test(token) || !pending()) return false;
    return timingSafeEqual(hashToken(token), tokenHash);
  };
  const refuse = () => forbidden('setup_link_invalid', 'This setup link is not valid any more: an admin account exists, or the service restarted.');
  return {
    pending,
    issue() {
      if (!pending()) return null;
      const token = randomBytes(SETUP_TOKEN_BYTES).toString('base64url');
      tokenHash = hashToken(token);
      return token;
    },
    isValid,
    gate: (token) => ({
      check() {
        if (!isValid(token)) throw refuse();
        // Inside the insert's transaction: two forms sent at once make one admin, not two (the
        // second sees the first's admin). A failed insert leaves the link usable.
        return () => {
          if (!isValid(token)) throw refuse();
        };
      },
    }),
  };
}
