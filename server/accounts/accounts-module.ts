// Composition of the accounts part: stores, services, the session cookie and the route groups.
// main.ts (or buildApp, when not given one) creates it once; the WebSocket upgrade uses
// `auth.memberFromRequest(req)` and listens on `events` to close the sockets of ended sessions
// and deleted members.
import type { Database } from 'better-sqlite3';
import type Router from '@koa/router';
import type { Config } from '../config.js';
import { createMemberData } from '../db/member-data.js';
import { createSessionStore } from './session-store.js';
import { createUserStore } from './user-store.js';
import type { AppState } from '../http/context.js';
import { createSessionAuth, type SessionAuth } from '../http/session.js';
import type { Logger } from '../log.js';
import { accountPageRoutes } from './account-pages.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import { authRoutes } from './auth-routes.js';
import { avatarRoutes } from './picture-routes.js';
import { meRoutes, type ProfileExtras } from './profile-routes.js';
import { createProfileStore } from './profile-store.js';
import { policyRoutes } from './policy-routes.js';
import type { PageRenderer } from '../http/pages.js';
import { createAccountService, type AccountService } from './account-service.js';
import { normaliseEmail } from './account-rules.js';
import { createAvatarService, type AvatarService } from './picture-service.js';
import { createMemberEvents, type MemberEvents } from './member-events.js';
import { createHashLanes, createPasswordHasher, type HashLanes } from './passwords.js';
import { createSessionService, type SessionService } from './session-service.js';
import { createThrottle } from './login-throttle.js';
import { createSignupThrottle } from './signup-throttle.js';
import { systemClock, type Clock } from './clock.js';
import type { SignupGate } from './signup-gate.js';
import { createAdmission } from '../staff/admission.js';
import { createInvitationService } from '../staff/invitation-service.js';
import { createInvitationStore } from '../staff/invitation-store.js';
import { createFirstAdminSetup, type FirstAdminSetup } from '../staff/first-admin.js';
import { createMailer, type Mailer } from '../mail/mailer.js';
import { createEmailLinks } from './email-links.js';
import { emailPageRoutes } from './email-pages.js';
import { privacyFactsOf } from './privacy-facts.js';
import { emailRoutes } from './email-routes.js';
import { createEmailStore } from './email-store.js';
import { createEmailVerification, type EmailVerification } from './email-verification.js';
import { createPasswordReset, type PasswordReset } from './password-reset.js';

export type AccountsModule = Readonly<{
  auth: SessionAuth;
  events: MemberEvents;
  sessions: SessionService;
  accounts: AccountService;
  avatars: AvatarService;
  /** The first admin's setup link, while no admin exists. */
  firstAdmin: FirstAdminSetup;
  /** Forgotten passwords: `issueLinkFor(memberId)` gives an admin a link to hand over. */
  passwordReset: PasswordReset;
  verification: EmailVerification;
  mailer: Mailer;
  /** `profileExtras`: what other parts add to GET /api/me (the calls part: the call link). */
  apiGroups(profileExtras?: ProfileExtras): ApiRouteGroup[];
  /** Routers outside /api: the account pages and the pictures. */
  routers(pages: PageRenderer): Router<AppState>[];
}>;

export function createAccountsModule(deps: {
  config: Config;
  db: Database;
  log: Logger;
  events?: MemberEvents;
  clock?: Clock;
  /** Who may sign up; by default PORTHELLO_SIGNUP's mode with the invitations of the database. */
  signupGate?: SignupGate;
  /** Built from config.mail when not given. */
  mailer?: Mailer;
  /** The password hasher's lanes; by default one hash per core but one (passwords.ts). */
  hashLanes?: HashLanes;
}): AccountsModule {
  const { config, db, log } = deps;
  const clock = deps.clock ?? systemClock;
  const events = deps.events ?? createMemberEvents((error) => log.error('accounts', 'member event listener failed', { error: String(error) }));
  const users = createUserStore(db);
  // Addresses stored before the current normalisation get it now, so their owners still log in.
  const emails = users.normaliseStoredEmails(normaliseEmail);
  if (emails.clashes > 0)
    log.warn('accounts', 'stored e-mail addresses left as they were: their normalised spelling belongs to another account', { count: emails.clashes });
  const sessions = createSessionService({
    store: createSessionStore(db),
    events,
    idleMs: config.accounts.sessionIdleMs,
    maxMs: config.accounts.sessionMaxMs,
    now: clock.now,
  });
  const avatars = createAvatarService({ dataDir: config.dataDir, users, now: clock.now });
  const passwords = createPasswordHasher(config.accounts.bcryptCost, deps.hashLanes ?? createHashLanes());
  const mailer = deps.mailer ?? createMailer(config.mail, log);
  const emailStore = createEmailStore(db);
  // Without e-mail nothing can verify an address: those left pending count as verified.
  if (!mailer.isConfigured && emailStore.releasePending() > 0) log.info('accounts', 'e-mail is off: addresses awaiting verification now count as verified');
  const links = createEmailLinks({ store: emailStore, clock, publicOrigin: config.publicOrigin });
  const mailDeps = { store: emailStore, links, mailer, clock, publicOrigin: config.publicOrigin, log };
  const passwordReset = createPasswordReset({ ...mailDeps, users, sessions, passwords });
  const verification = createEmailVerification({ ...mailDeps, users, events });
  const accounts = createAccountService({
    users,
    profiles: createProfileStore(db),
    sessions,
    passwords,
    throttle: createThrottle(clock),
    signupThrottle: createSignupThrottle({ perAddressPerHour: config.accounts.signupsPerAddressPerHour, totalPerHour: config.accounts.signupsPerHour }, clock),
    memberData: createMemberData(db),
    pictures: avatars.files,
    events,
    signupGate:
      deps.signupGate ??
      createAdmission(config.access, createInvitationService({ store: createInvitationStore(db), publicOrigin: config.publicOrigin, now: clock.now })),
    clock,
  });
  const auth = createSessionAuth(config, sessions);
  const firstAdmin = createFirstAdminSetup(db);
  return {
    firstAdmin,
    auth,
    events,
    sessions,
    accounts,
    avatars,
    passwordReset,
    verification,
    mailer,
    apiGroups: (profileExtras) => [
      authRoutes({ accounts, sessions, auth, log, firstAdmin, verification }),
      meRoutes({
        accounts,
        sessions,
        avatars,
        auth,
        log,
        verification,
        profileExtras: (memberId, stored) => ({
          emailVerification: verification.stateOfStatus(stored.emailStatus),
          newsEmails: stored.newsEmails,
          ...profileExtras?.(memberId, stored),
        }),
      }),
      emailRoutes({ reset: passwordReset, verification, store: emailStore, clock, log }),
      policyRoutes(),
    ],
    routers: (pages) => [
      accountPageRoutes(pages, config, firstAdmin, privacyFactsOf(config)),
      emailPageRoutes(pages, mailer.isConfigured),
      avatarRoutes(avatars),
    ],
  };
}
