// The verification code on the call screen: the six digits both people read aloud, what to do
// with them, and a link to the help page (a new tab: leaving this page would end the call).
// The digits come from the live connection (verification.ts); the element that shows them
// carries `data-verification-code` with the same text, for tests and for assistive tools.
//
// When the other side's certificate is not the one the callee committed to, or changes during
// the call, someone is in the middle for sure: comparing codes could only mislead then, so the
// digits go away for the rest of the call and an alert says so and what to do (the element
// carries `data-verification-warning` with the reason). The other screen still shows a code:
// the two people learn it when they compare.
import { el } from '../dom.js';
import { t } from '../messages.js';
import type { CallConnection } from './connection.js';
import { CallVerifier, type Verdict } from './verification.js';

/** Where the help page explains the code. */
const HELP_LINK = '/help#verification-code';

export class VerificationView {
  readonly element: HTMLElement;
  private readonly code: HTMLElement;
  private readonly line: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly warning: HTMLElement;
  private readonly peerName: string;
  private readonly verifier: CallVerifier;
  private reading = false;

  constructor(peerName: string, side: ConstructorParameters<typeof CallVerifier>[0]) {
    this.peerName = peerName;
    this.verifier = new CallVerifier(side, crypto.subtle);
    this.code = el('strong', { class: 'call-verify-code' });
    this.line = el('p', { class: 'call-verify-line' }, el('span', {}, t('call.verify.label')), ' ', this.code);
    this.hint = el('p', { class: 'call-verify-hint' }, t('call.verify.hint', { name: peerName }), ' ', helpLink());
    this.warning = el('div', { class: 'call-verify-warning', role: 'alert', hidden: true });
    this.element = el('div', { class: 'call-verify', hidden: true }, this.line, this.hint, this.warning);
  }

  /**
   * Reads the connection's certificates and shows their code. Called whenever the connection is
   * (again) connected and at each stats refresh: until the handshake is done nothing is shown.
   */
  async refresh(connection: Pick<CallConnection, 'fingerprints'>): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const fingerprints = await connection.fingerprints();
      if (fingerprints === null) return;
      this.show(await this.verifier.check(fingerprints));
      this.element.hidden = false;
    } catch (error) {
      // A connection closed meanwhile, or a browser without crypto.subtle (an insecure
      // origin): no code is better than a wrong one.
      console.warn('verification code unavailable', error);
    } finally {
      this.reading = false;
    }
  }

  private show(verdict: Verdict): void {
    if (verdict.trusted) {
      if (this.code.textContent !== verdict.code) {
        this.code.textContent = verdict.code;
        this.code.dataset['verificationCode'] = verdict.code;
      }
      return;
    }
    if (this.warning.dataset['verificationWarning'] === verdict.reason) return;
    this.line.hidden = true;
    this.hint.hidden = true;
    this.code.textContent = '';
    delete this.code.dataset['verificationCode'];
    const text =
      verdict.reason === 'commitment' ? t('call.verify.warningCommitment', { name: this.peerName }) : t('call.verify.warningChanged', { name: this.peerName });
    this.warning.replaceChildren(
      el('p', { class: 'call-verify-warning-title' }, el('strong', {}, t('call.verify.warningTitle'))),
      el('p', {}, text, ' ', helpLink()),
    );
    this.warning.dataset['verificationWarning'] = verdict.reason;
    this.warning.hidden = false;
  }
}

function helpLink(): HTMLElement {
  return el(
    'a',
    { href: HELP_LINK, target: '_blank', rel: 'noopener' },
    t('call.verify.help'),
    el('span', { class: 'visually-hidden' }, ` (${t('call.verify.newTab')})`),
  );
}
