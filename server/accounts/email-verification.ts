// Address verification. When e-mail is configured, a new address (at sign-up, or changed on the
// profile) gets a link and stays 'pending' until it is followed: meanwhile the member cannot be
// rung, is left out of the directory, and sees a banner to send the link again. Without e-mail,
// addresses are 'unchecked' and count as verified; so do pending ones if e-mail is turned off
// later, since nothing could verify them any more.
import type { EmailVerificationState } from '../contract/api.js';
import { conflict, rateLimited } from '../errors.js';
import { formatDuration } from '../i18n/durations.js';
import type { Locale } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { composeLinkMail } from '../mail/compose.js';
import type { Mailer } from '../mail/mailer.js';
import type { Clock } from './clock.js';
import type { EmailLinks } from './email-links.js';
import type { EmailStatus, EmailStore } from './email-store.js';
import type { MemberEvents } from './member-events.js';
import type { UserStore } from './user-store.js';
import { createWindowLimit } from './window-limit.js';

/** Two days: time to find the mail after a weekend, short enough that a stale link dies. */
export const EMAIL_VERIFICATION_LINK_LIFETIME_MS = 48 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;
/** Verification mails one account may ask for per hour (the first, at sign-up, counts). */
export const VERIFICATION_MAILS_PER_ACCOUNT_PER_HOUR = 3;
const MAX_LIMIT_KEYS = 50_000;

export type { EmailVerificationState };

export type EmailVerification = Readonly<{
  /** The member's address was just set (sign-up or change): verify it when mail is sent. */
  addressSet(memberId: string, locale: Locale): void;
  /** Sends the link again (429 past the limit, 409 when there is nothing to verify). */
  resend(memberId: string, locale: Locale): void;
  /** Follows a link: the address is verified; the member's id. */
  confirm(token: string): string;
  /** Whether the member may be rung and listed. */
  isReachable(memberId: string): boolean;
  stateOf(memberId: string): EmailVerificationState;
  /** The state of a status already read (GET /api/me reads it with the rest of the profile). */
  stateOfStatus(status: EmailStatus | undefined): EmailVerificationState;
  /** Whether the directory hides pending members (only while e-mail is configured). */
  readonly hidesPending: boolean;
}>;

export function createEmailVerification(deps: {
  users: Pick<UserStore, 'byId'>;
  store: EmailStore;
  links: EmailLinks;
  mailer: Mailer;
  events: MemberEvents;
  clock: Pick<Clock, 'now'>;
  publicOrigin: string;
  log: Logger;
}): EmailVerification {
  const { users, store, links, mailer, events, log } = deps;
  const perAccount = createWindowLimit({ perWindow: VERIFICATION_MAILS_PER_ACCOUNT_PER_HOUR, windowMs: HOUR_MS, maxKeys: MAX_LIMIT_KEYS }, deps.clock);

  const sendLink = (memberId: string, locale: Locale): void => {
    const user = users.byId(memberId);
    if (user === undefined) return;
    const link = links.issue(memberId, 'email_verification', EMAIL_VERIFICATION_LINK_LIFETIME_MS);
    const mail = composeLinkMail(
      locale,
      { subject: 'mail.verify.subject', intro: 'mail.verify.intro', action: 'mail.verify.action', ignore: 'mail.verify.ignore' },
      user.email,
      { link, validity: formatDuration(locale, EMAIL_VERIFICATION_LINK_LIFETIME_MS), publicOrigin: deps.publicOrigin },
    );
    // In the background: a slow or failing mail server never holds up the request.
    void mailer.send(mail, 'email_verification');
  };
  const stateOfStatus = (status: EmailStatus | undefined): EmailVerificationState => {
    if (!mailer.isConfigured || status === 'unchecked') return 'not_required';
    return status === 'pending' ? 'pending' : 'verified';
  };
  const stateOf = (memberId: string): EmailVerificationState => stateOfStatus(store.statusOf(memberId));

  return {
    addressSet(memberId, locale) {
      if (!mailer.isConfigured) {
        store.setStatus(memberId, 'unchecked');
        store.deleteLinks(memberId, 'email_verification');
        return;
      }
      store.setStatus(memberId, 'pending');
      // Ringing stops at once: open sockets of the member close (calls-module listens).
      events.addressUnverified(memberId);
      perAccount.take(memberId);
      sendLink(memberId, locale);
    },
    resend(memberId, locale) {
      if (stateOf(memberId) !== 'pending') throw conflict('already_verified', 'There is no address to verify.');
      const waitMs = perAccount.take(memberId);
      if (waitMs > 0) throw rateLimited('too_many_mails', 'Too many e-mails asked for; try again later.', Math.ceil(waitMs / 1000));
      sendLink(memberId, locale);
    },
    confirm(token) {
      const memberId = links.redeem(token, 'email_verification');
      store.setStatus(memberId, 'verified');
      log.info('auth', 'e-mail address verified');
      return memberId;
    },
    isReachable: (memberId) => stateOf(memberId) !== 'pending',
    stateOf,
    stateOfStatus,
    hidesPending: mailer.isConfigured,
  };
}
