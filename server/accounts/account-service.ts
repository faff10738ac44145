// Accounts: sign-up, log-in, profile, password, deletion and export. Takes plain typed values
// (validated by account-rules.ts), never a Koa context.
import { randomBytes } from 'node:crypto';
import type { ProfileView, Role } from '../contract/api.js';
import type { MemberData } from '../db/member-data.js';
import type { UserRow, UserStore } from './user-store.js';
import type { ProfileRow, ProfileStore } from './profile-store.js';
import { AppError, conflict, forbidden, rateLimited, unauthorized } from '../errors.js';
import type { LoginInput, ProfileChange, SignupInput } from './account-rules.js';
import type { MemberEvents } from './member-events.js';
import type { PasswordHasher } from './passwords.js';
import { CURRENT_POLICY_VERSION } from './privacy-policy.js';
import type { Member, SessionService } from './session-service.js';
import type { Throttle } from './login-throttle.js';
import type { SignupThrottle } from './signup-throttle.js';
import { systemClock, type Clock } from './clock.js';
import { OPEN_SIGNUP, type SignupGate } from './signup-gate.js';

export { OPEN_SIGNUP, type SignupGate };

/** 128 random bits: member ids are opaque and never derived from anything about the person. */
const MEMBER_ID_BYTES = 16;

/** Where the picture files are; implemented by picture-service.ts. */
export type PictureFiles = {
  /** The URLs of the picture sizes, for the profile. */
  urls(avatarId: string): Readonly<{ large: string; small: string }>;
  /** The large picture's bytes, for the export; null when the file is missing. */
  read(avatarId: string): Promise<Buffer | null>;
  remove(avatarId: string): Promise<void>;
};

/** How an account is created: through which gate (the configured one by default), with which role. */
export type AccountOptions = Readonly<{ gate?: SignupGate; role?: Role }>;

/** A member's profile as the API shows it. */
export type Profile = ProfileView;

/** What a profile is made of, from the member's row. */
type ProfileSource = Pick<UserRow, 'id' | 'email' | 'firstName' | 'lastName' | 'avatarId' | 'createdAt' | 'role'>;

export type AccountService = ReturnType<typeof createAccountService>;

export function createAccountService(deps: {
  users: UserStore;
  /** GET /api/me's one read (profile-store.ts). */
  profiles: ProfileStore;
  sessions: SessionService;
  passwords: PasswordHasher;
  throttle: Throttle;
  signupThrottle: SignupThrottle;
  memberData: MemberData;
  pictures: PictureFiles;
  events: MemberEvents;
  signupGate?: SignupGate;
  clock?: Clock;
}) {
  const { users, profiles, sessions, passwords, throttle, signupThrottle, memberData, pictures, events } = deps;
  const defaultGate = deps.signupGate ?? OPEN_SIGNUP;
  const clock = deps.clock ?? systemClock;
  const iso = (): string => new Date(clock.now()).toISOString();

  const userOf = (memberId: string): UserRow => {
    const user = users.byId(memberId);
    if (user === undefined) throw unauthorized();
    return user;
  };
  /**
   * A member's own password check takes its turn by the client's network (`from`), as log-ins
   * do, not by member: one network with many accounts then still has one turn, and one bound.
   */
  const requirePassword = async (user: UserRow, password: string, from: string): Promise<void> => {
    if (!(await passwords.verify(password, user.passwordHash, from))) throw forbidden('wrong_password', 'The current password is not correct.');
  };

  const createAccount = async (input: SignupInput, options: AccountOptions = {}): Promise<{ id: string; role: Role }> => {
    const admit = (options.gate ?? defaultGate).check(input.email, input.inviteCode);
    // Checked before hashing so a taken e-mail costs no bcrypt; the insert re-checks (a race).
    if (users.byEmail(input.email) !== undefined) throw conflict('email_taken', 'An account already uses this e-mail address.');
    const passwordHash = await passwords.hashForSignup(input.password);
    const id = randomBytes(MEMBER_ID_BYTES).toString('base64url');
    const at = iso();
    const role = options.role ?? 'member';
    // `admit` checks again inside the insert: the invitation may have been used up meanwhile.
    const created = users.insert(
      { id, email: input.email, firstName: input.firstName, lastName: input.lastName, passwordHash, createdAt: at, role },
      { document: 'privacy_policy', version: CURRENT_POLICY_VERSION, acceptedAt: at },
      admit,
    );
    if (!created) throw conflict('email_taken', 'An account already uses this e-mail address.');
    events.memberCreated(id);
    return { id, role };
  };

  const profileOf = (user: UserRow): Profile => {
    const consent = users
      .consentsOf(user.id)
      .filter((row) => row.document === 'privacy_policy')
      .at(-1);
    return presentProfile(user, consent ?? null);
  };
  /** The profile's fields, in the order the API has always answered them. */
  const presentProfile = (user: ProfileSource, consent: Readonly<{ version: string; acceptedAt: string }> | null): Profile => ({
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    avatar: user.avatarId === null ? null : pictures.urls(user.avatarId),
    policy: { acceptedVersion: consent?.version ?? null, acceptedAt: consent?.acceptedAt ?? null, currentVersion: CURRENT_POLICY_VERSION },
    createdAt: user.createdAt,
    role: user.role,
  });

  return {
    /**
     * Creates the member with their consent to the current policy and logs them in. The gate
     * (the configured sign-up mode, or the first admin's setup link) decides who may.
     */
    async signup(input: SignupInput, address: string, userAgent: string, options: AccountOptions = {}): Promise<{ token: string; member: Member }> {
      // Counted before anything else: probing which e-mails are taken is throttled too.
      signupThrottle.admit(address);
      const member = await createAccount(input, options);
      const { token, sessionId } = sessions.create(member.id, userAgent);
      return { token, member: { ...member, sessionId } };
    },

    /** An account without a session: the admin CLI's create-admin. */
    createAccount,

    /**
     * Checks the credentials under throttling. An unknown e-mail and a wrong password give the
     * same error after the same bcrypt work.
     */
    async login(input: LoginInput, address: string, userAgent: string): Promise<{ token: string; member: Member }> {
      const verdict = throttle.check(input.email, address);
      if (verdict.refuseForMs > 0) {
        throw rateLimited('too_many_attempts', 'Too many failed attempts; wait before trying again.', Math.ceil(verdict.refuseForMs / 1000));
      }
      // The account is being guessed at: every answer on it comes late, the right one included.
      if (verdict.delayMs > 0) await clock.sleep(verdict.delayMs);
      const user = users.byEmail(input.email);
      const ok =
        user === undefined ? await passwords.verifyNothing(input.password, address) : await passwords.verify(input.password, user.passwordHash, address);
      if (user === undefined || !ok) {
        throttle.failed(input.email, address);
        throw new AppError('unauthorized', 'invalid_credentials', 'The e-mail address or the password is not correct.');
      }
      throttle.succeeded(input.email, address);
      // Said only to whoever knows the password: the account exists but an admin turned it off.
      if (user.disabledAt !== null) throw forbidden('account_disabled', 'This account has been disabled by an administrator.');
      sessions.purgeExpired();
      const { token, sessionId } = sessions.create(user.id, userAgent);
      return { token, member: { id: user.id, sessionId, role: user.role } };
    },

    profile: (memberId: string): Profile => profileOf(userOf(memberId)),

    /**
     * GET /api/me: the profile with the rest of what that page shows of the member, read in one
     * statement (profile-store.ts); the other parts present their share of `stored`.
     */
    ownProfile(memberId: string): { profile: Profile; stored: ProfileRow } {
      const stored = profiles.profileOf(memberId);
      if (stored === undefined) throw unauthorized();
      return { profile: presentProfile(stored, stored.policy), stored };
    },

    /** `from`: the client's address, for the password check a new e-mail needs. */
    async updateProfile(memberId: string, change: ProfileChange, from: string): Promise<Profile> {
      const user = userOf(memberId);
      if (change.email !== undefined && change.email !== user.email) {
        await requirePassword(user, change.currentPassword ?? '', from);
        if (!users.setEmail(memberId, change.email, iso())) throw conflict('email_taken', 'An account already uses this e-mail address.');
      }
      if (change.firstName !== undefined || change.lastName !== undefined) {
        users.setNames(memberId, change.firstName ?? user.firstName, change.lastName ?? user.lastName, iso());
      }
      return profileOf(userOf(memberId));
    },

    /** Records that the member accepted the current policy version (after it changed). */
    acceptPolicy(memberId: string): Profile {
      const user = userOf(memberId);
      const latest = users
        .consentsOf(memberId)
        .filter((row) => row.document === 'privacy_policy')
        .at(-1);
      if (latest?.version !== CURRENT_POLICY_VERSION)
        users.addConsent(memberId, { document: 'privacy_policy', version: CURRENT_POLICY_VERSION, acceptedAt: iso() });
      return profileOf(user);
    },

    /** Sets a new password and ends every other session of the member; returns how many ended. */
    async changePassword(member: Member, currentPassword: string, newPassword: string, from: string): Promise<number> {
      const user = userOf(member.id);
      await requirePassword(user, currentPassword, from);
      users.setPassword(member.id, await passwords.hash(newPassword, from), iso());
      return sessions.endOthers(member).length;
    },

    /** Erases every row and file of the member, after checking their password. */
    async deleteAccount(memberId: string, password: string, from: string): Promise<void> {
      const user = userOf(memberId);
      await requirePassword(user, password, from);
      memberData.deleteRows(memberId);
      if (user.avatarId !== null) await pictures.remove(user.avatarId);
      events.memberDeleted(memberId);
    },

    /** Everything stored about the member, from the same table list deletion uses. */
    async exportData(memberId: string): Promise<Record<string, unknown>> {
      const user = userOf(memberId);
      const picture = user.avatarId === null ? null : await pictures.read(user.avatarId);
      return {
        format: 'porthello-member-export',
        formatVersion: 1,
        exportedAt: iso(),
        currentPolicyVersion: CURRENT_POLICY_VERSION,
        data: memberData.exportRows(memberId),
        picture: picture === null ? null : { mediaType: 'image/webp', encoding: 'base64', data: picture.toString('base64') },
      };
    },
  };
}
