// Who may sign up, as the account service sees it. Implemented by server/staff/admission.ts (the
// configured mode and invitations) and server/staff/first-admin.ts (the setup link).

/**
 * `check` refuses with a 403 before any work is done, and returns what runs inside the new
 * account's insert transaction (an invitation used up, the setup link checked again), which
 * throws when it can no longer be done (a race lost): then nothing is written.
 */
export type SignupGate = Readonly<{
  check(email: string, inviteCode: string | undefined): () => void;
}>;

/** Anyone may sign up. */
export const OPEN_SIGNUP: SignupGate = { check: () => () => {} };
