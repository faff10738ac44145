// The verification code on the call screen: the six digits both people read aloud, what to do
// with them, and a link to the help page (a new tab: leaving this page would end the call).
// The digits come from the live connection (verification.ts); the element that shows them
// carries `data-verification-code` with the same text, for tests and for assistive tools.
import { el } from '../dom.js';
import { t } from '../messages.js';
import type { CallConnection } from './connection.js';
import { verificationCode } from './verification.js';

/** Where the help page explains the code. */
const HELP_LINK = '/help#verification-code';

export class VerificationView {
  readonly element: HTMLElement;
  private readonly code: HTMLElement;
  private reading = false;

  constructor(peerName: string) {
    this.code = el('strong', { class: 'call-verify-code' });
    const hint = el(
      'p',
      { class: 'call-verify-hint' },
      t('call.verify.hint', { name: peerName }),
      ' ',
      el(
        'a',
        { href: HELP_LINK, target: '_blank', rel: 'noopener' },
        t('call.verify.help'),
        el('span', { class: 'visually-hidden' }, ` (${t('call.verify.newTab')})`),
      ),
    );
    this.element = el(
      'div',
      { class: 'call-verify', hidden: true },
      el('p', { class: 'call-verify-line' }, el('span', {}, t('call.verify.label')), ' ', this.code),
      hint,
    );
  }

  /**
   * Reads the connection's certificates and shows their code. Called whenever the connection is
   * (again) connected and at each stats refresh: a renegotiation with other certificates shows
   * its new code; until the handshake is done nothing is shown.
   */
  async refresh(connection: Pick<CallConnection, 'fingerprints'>): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const fingerprints = await connection.fingerprints();
      if (fingerprints === null) return;
      const code = await verificationCode(fingerprints, crypto.subtle);
      if (this.code.textContent !== code) {
        this.code.textContent = code;
        this.code.dataset['verificationCode'] = code;
      }
      this.element.hidden = false;
    } catch (error) {
      // A connection closed meanwhile, or a browser without crypto.subtle (an insecure
      // origin): no code is better than a wrong one.
      console.warn('verification code unavailable', error);
    } finally {
      this.reading = false;
    }
  }
}
