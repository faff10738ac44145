// The banner of a member whose e-mail address awaits verification: until they follow the link,
// nobody can ring them and they are not in the directory. It offers to send the link again.
import type { EmailSettings, ProfileView } from '../../../server/contract/api.js';
import { api, ApiError } from './api.js';
import { hasMessage, t } from './messages.js';

/** Shows the banner at the top of the page when the address is pending; returns whether it did. */
export function showVerificationBanner(me: ProfileView & EmailSettings): boolean {
  // Shown again after an address change: one banner, for the address now awaiting its link.
  document.querySelector('.verify-banner')?.remove();
  if (me.emailVerification !== 'pending') return false;
  const banner = document.createElement('div');
  banner.className = 'call-notice verify-banner';
  banner.setAttribute('role', 'status');
  const text = document.createElement('p');
  text.textContent = t('verify.banner');
  const status = document.createElement('p');
  status.className = 'verify-status';
  status.setAttribute('aria-live', 'polite');
  const resend = document.createElement('button');
  resend.type = 'button';
  resend.className = 'button secondary small';
  resend.textContent = t('verify.resend');
  resend.addEventListener('click', () => {
    resend.disabled = true;
    api('POST', '/api/me/email-verification')
      .then(
        () => (status.textContent = t('verify.resent', { address: me.email })),
        (problem: unknown) => {
          const code = problem instanceof ApiError ? problem.code : 'generic';
          status.textContent = t(hasMessage(code) ? code : 'generic', { seconds: problem instanceof ApiError ? (problem.retryAfterS ?? '') : '' });
        },
      )
      .finally(() => (resend.disabled = false));
  });
  banner.append(text, resend, status);
  document.getElementById('main')?.prepend(banner);
  return true;
}
