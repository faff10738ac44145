// Single-use links sent by e-mail: a random token in the link, only its SHA-256 stored (the
// session tokens' hash, session-service.ts), a lifetime, one live link per member and purpose.
// The token travels in the URL's fragment (#…): browsers never send a fragment to a server, so
// it stays out of proxy and access logs and out of any Referer header.
import { randomBytes } from 'node:crypto';
import { badRequest } from '../errors.js';
import type { Clock } from './clock.js';
import type { EmailStore, LinkPurpose } from './email-store.js';
import { hashToken } from './session-service.js';

/** 256 bits from the CSPRNG, like session tokens. */
const LINK_TOKEN_BYTES = 32;
/** A token we could have issued: base64url of LINK_TOKEN_BYTES. */
const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The page each purpose's link opens. */
export const LINK_PAGES: Readonly<Record<LinkPurpose, string>> = {
  password_reset: '/password-reset',
  email_verification: '/verify-email',
};

export type EmailLinks = Readonly<{
  /** A new link for the member, replacing their earlier one of this purpose; returns its URL. */
  issue(memberId: string, purpose: LinkPurpose, lifetimeMs: number): string;
  /** Checks a link without using it: the member it is for (same refusals as redeem). */
  check(token: string, purpose: LinkPurpose): string;
  /**
   * Uses a link: the member it was for. Unknown, used, replaced and expired links all fail the
   * same way (400 invalid_link): the answer says nothing about which it was.
   */
  redeem(token: string, purpose: LinkPurpose): string;
}>;

export function createEmailLinks(deps: { store: EmailStore; clock: Pick<Clock, 'now'>; publicOrigin: string }): EmailLinks {
  const { store, clock, publicOrigin } = deps;
  const invalid = () => badRequest('invalid_link', 'This link is unknown, was already used, or has expired.');
  return {
    issue(memberId, purpose, lifetimeMs) {
      const token = randomBytes(LINK_TOKEN_BYTES).toString('base64url');
      const now = clock.now();
      store.purgeExpired(new Date(now).toISOString());
      store.replaceLink({
        tokenHash: hashToken(token),
        userId: memberId,
        purpose,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + lifetimeMs).toISOString(),
      });
      return `${publicOrigin}${LINK_PAGES[purpose]}#${token}`;
    },
    check(token, purpose) {
      if (!LINK_TOKEN_PATTERN.test(token)) throw invalid();
      const link = store.peekLink(hashToken(token), purpose);
      if (link === undefined || Date.parse(link.expiresAt) <= clock.now()) throw invalid();
      return link.userId;
    },
    redeem(token, purpose) {
      if (!LINK_TOKEN_PATTERN.test(token)) throw invalid();
      const link = store.takeLink(hashToken(token), purpose);
      if (link === undefined || Date.parse(link.expiresAt) <= clock.now()) throw invalid();
      return link.userId;
    },
  };
}
