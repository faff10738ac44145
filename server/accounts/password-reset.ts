// Getting back in after a forgotten password. A request answers the same whether the address
// belongs to an account or not, and at the same speed: everything that depends on the answer
// (the lookup, the per-account limit, the link, the mail) runs after the response, in the
// background. The link works once, for PASSWORD_RESET_LINK_LIFETIME_MS; using it sets the
// password and ends every session of the member, which also revokes their relay credentials
// and closes their sockets (the path a password change takes, through the member events).
import { addressBlock } from '../client-address.js';
import { notFound, rateLimited } from '../errors.js';
import { formatDuration } from '../i18n/durations.js';
import type { Locale } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { composeLinkMail } from '../mail/compose.js';
import type { Mailer } from '../mail/mailer.js';
import type { Clock } from './clock.js';
import type { EmailLinks } from './email-links.js';
import type { EmailStore } from './email-store.js';
import type { PasswordHasher } from './passwords.js';
import type { SessionService } from './session-service.js';
import type { UserStore } from './user-store.js';
import { createWindowLimit } from './window-limit.js';

export const PASSWORD_RESET_LINK_LIFETIME_MS = 60 * 60_000;
const HOUR_MS = 60 * 60_000;
/** Reset requests per client address (IPv6 by /64) per hour: a person retrying, not a script probing. */
export const PASSWORD_RESET_REQUESTS_PER_ADDRESS_PER_HOUR = 10;
/** Reset mails one account receives per hour, whoever asks: nobody can flood a member's inbox. */
export const PASSWORD_RESET_MAILS_PER_ACCOUNT_PER_HOUR = 3;
/** Attempts to use a link per client address per hour; tokens cannot be guessed anyway. */
export const PASSWORD_RESET_CONFIRMS_PER_ADDRESS_PER_HOUR = 20;
/** Bounds the memory of the limits under a flood of distinct addresses or accounts. */
const MAX_LIMIT_KEYS = 50_000;

export type PasswordReset = Readonly<{
  /** Counts the request against the address's limit (429 past it), then does the rest in the background. */
  request(email: string, address: string, locale: Locale): void;
  /** Sets the password from a link and ends every session; the member's id. */
  confirm(token: string, password: string, address: string): Promise<string>;
  /** A reset link for an account, for an admin to hand over when no e-mail is sent (admin CLI). */
  issueLinkFor(memberId: string): string;
  /** Resolves when every background request started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
}>;

export function createPasswordReset(deps: {
  users: Pick<UserStore, 'byEmail' | 'byId' | 'setPassword'>;
  store: EmailStore;
  links: EmailLinks;
  sessions: Pick<SessionService, 'endAll'>;
  passwords: PasswordHasher;
  mailer: Mailer;
  clock: Clock;
  publicOrigin: string;
  log: Logger;
}): PasswordReset {
  const { users, store, links, sessions, passwords, mailer, clock, log } = deps;
  const limit = (perWindow: number) => createWindowLimit({ perWindow, windowMs: HOUR_MS, maxKeys: MAX_LIMIT_KEYS }, clock);
  const perAddress = limit(PASSWORD_RESET_REQUESTS_PER_ADDRESS_PER_HOUR);
  const perAccount = limit(PASSWORD_RESET_MAILS_PER_ACCOUNT_PER_HOUR);
  const confirmsPerAddress = limit(PASSWORD_RESET_CONFIRMS_PER_ADDRESS_PER_HOUR);
  const pending = new Set<Promise<void>>();
  const admit = (waitMs: number): void => {
    if (waitMs > 0) throw rateLimited('too_many_requests', 'Too many requests from your network; try again later.', Math.ceil(waitMs / 1000));
  };

  const issueLinkFor = (memberId: string): string => {
    if (users.byId(memberId) === undefined) throw notFound('No such member.');
    return links.issue(memberId, 'password_reset', PASSWORD_RESET_LINK_LIFETIME_MS);
  };

  const sendLink = async (email: string, locale: Locale): Promise<void> => {
    const user = users.byEmail(email);
    if (user === undefined || !mailer.isConfigured) return;
    if (perAccount.take(user.id) > 0) {
      log.info('auth', 'password reset mail withheld: account limit reached');
      return;
    }
    const link = issueLinkFor(user.id);
    const mail = composeLinkMail(
      locale,
      { subject: 'mail.reset.subject', intro: 'mail.reset.intro', action: 'mail.reset.action', ignore: 'mail.reset.ignore' },
      user.email,
      { link, validity: formatDuration(locale, PASSWORD_RESET_LINK_LIFETIME_MS), publicOrigin: deps.publicOrigin },
    );
    await mailer.send(mail, 'password_reset');
  };

  return {
    request(email, address, locale) {
      admit(perAddress.take(addressBlock(address)));
      // After the response: setImmediate runs once this request's handler has returned.
      const work = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => sendLink(email, locale))
        .catch((error: unknown) => log.error('auth', 'password reset request failed', { error: error instanceof Error ? error.name : 'unknown' }))
        .finally(() => pending.delete(work));
      pending.add(work);
    },
    async confirm(token, password, address) {
      admit(confirmsPerAddress.take(addressBlock(address)));
      // Checked first (cheap), used only once the hash is ready: a busy hasher does not burn the link.
      links.check(token, 'password_reset');
      const hash = await passwords.hash(password, address);
      const memberId = links.redeem(token, 'password_reset');
      users.setPassword(memberId, hash, new Date(clock.now()).toISOString());
      // The link came through the mailbox: the address is the member's.
      if (store.statusOf(memberId) === 'pending') store.setStatus(memberId, 'verified');
      sessions.endAll(memberId);
      return memberId;
    },
    issueLinkFor,
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
