// /c/<code>: a guest rings the member behind the link. The guest types a name, allows the
// camera and microphone (or goes on with sound only), gets a ticket for this link, opens the
// signaling connection with it and rings. Then the call screen, then "call ended" with
// "call again".
import { api, ApiError } from '../lib/api.js';
import { createPhone, followCallScreen, type BrowserPhone, type BrowserPhoneState } from '../lib/call/browser-phone.js';
import { type BrowserCallKey, prepareCallKey } from '../lib/call/certificate.js';
import { LocalMedia } from '../lib/call/local-media.js';
import { callSupportProblem, MediaError, openLocalMedia } from '../lib/call/media.js';
import type { CallEnd } from '../lib/call/phone.js';
import { endMessage, mediaProblemMessage } from '../lib/call-ui.js';
import { byId } from '../lib/dom.js';
import { DISPLAY_NAME_MAX_CODE_POINTS, nameProblem, normaliseName } from '../../../server/contract/names.js';
import { clearErrors, showError } from '../lib/forms.js';
import { t } from '../lib/messages.js';

import type { GuestTicketIssued as Ticket } from '../../../server/contract/api.js';

const code = decodeURIComponent(window.location.pathname.split('/').pop() ?? '');
const form = byId<HTMLFormElement>('guest-form');
const nameInput = byId<HTMLInputElement>('display-name');
const nameError = byId('display-name-error');
const callButton = byId<HTMLButtonElement>('guest-call');
const start = byId('guest-start');
const calling = byId('guest-calling');
const callingStatus = byId('guest-calling-status');
const ended = byId('guest-ended');
const endedText = byId('guest-ended-text');
const mediaProblem = byId('media-problem');
/** The member's first name, as the page was rendered with it. */
const memberName = byId('guest-page').dataset['memberName'] ?? '';
/** The member lets guests in one by one: the call is a knock with an optional note. */
const knocks = byId('guest-page').dataset['knock'] === 'true';
const noteInput = byId<HTMLTextAreaElement>('knock-note');
byId('knock-field').hidden = !knocks;
// The guest was shown the member's first name only; the call screen keeps to it.
const showCallScreen = followCallScreen(byId('call-area'), memberName);

let phone: BrowserPhone | null = null;
/** The camera and microphone of an attempt still waiting for its ticket (cancel stops them). */
let awaitingTicket: LocalMedia | null = null;

function show(part: 'start' | 'calling' | 'ended'): void {
  start.hidden = part !== 'start';
  calling.hidden = part !== 'calling';
  ended.hidden = part !== 'ended';
}

function validName(): string | null {
  const name = normaliseName(nameInput.value);
  const problem = nameProblem(name, DISPLAY_NAME_MAX_CODE_POINTS);
  if (problem === null) return name;
  nameError.textContent = t(problem === 'required' ? 'guest.nameRequired' : problem, { name: memberName });
  nameError.hidden = false;
  nameInput.setAttribute('aria-invalid', 'true');
  nameInput.focus();
  return null;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void ring(false);
});
byId('media-retry').addEventListener('click', () => void ring(false));
byId('media-audio-only').addEventListener('click', () => void ring(true));
byId('guest-again').addEventListener('click', () => {
  show('start');
  void ring(false);
});

/** Says why the camera and microphone could not be had; trying again only helps when the browser has what a call needs. */
function showMediaProblem(problem: unknown): void {
  byId('media-problem-text').textContent = mediaProblemMessage(problem);
  mediaProblem.hidden = false;
  const browserLacks = problem instanceof MediaError && callSupportProblem() !== null;
  for (const id of ['media-retry', 'media-audio-only']) byId(id).hidden = browserLacks;
  if (!browserLacks) byId('media-retry').focus();
}

async function ring(audioOnly: boolean): Promise<void> {
  clearErrors(form);
  mediaProblem.hidden = true;
  const name = validName();
  if (name === null) {
    show('start');
    return;
  }
  callButton.disabled = true;
  try {
    // The camera and microphone first: a guest who cannot be seen or heard learns it before ringing anyone.
    callingStatus.textContent = t('calls.outgoing.preparing');
    let media: LocalMedia;
    try {
      media = new LocalMedia(await openLocalMedia(audioOnly ? { video: false } : {}));
    } catch (problem) {
      showMediaProblem(problem);
      show('start');
      return;
    }
    // The call's own certificate, fixed before ringing (verification.ts says why).
    const key = await prepareCallKey();
    if (key === null) {
      media.stop();
      byId('media-problem-text').textContent = t('call.keyFailed');
      mediaProblem.hidden = false;
      show('start');
      return;
    }
    awaitingTicket = media;
    show('calling');
    byId('guest-cancel').focus();
    callingStatus.textContent = t('calls.outgoing.connecting');
    let ticket: Ticket;
    try {
      ticket = await api<Ticket>('POST', `/api/links/${encodeURIComponent(code)}/tickets`, { displayName: name });
    } catch (problem) {
      media.stop();
      awaitingTicket = null;
      show('start');
      if (problem instanceof ApiError && problem.status === 404) showError(form, new ApiError(404, 'guest.linkGone'));
      else if (problem instanceof ApiError && problem.code === 'invalid_display_name') {
        nameError.textContent = t('guest.nameInvalid');
        nameError.hidden = false;
        nameInput.setAttribute('aria-invalid', 'true');
        nameInput.focus();
      } else showError(form, problem);
      return;
    }
    if (awaitingTicket !== media) return; // cancelled while the ticket was on its way
    awaitingTicket = null;
    callWith(ticket, media, key);
  } finally {
    callButton.disabled = false;
  }
}

/** A fresh signaling connection per attempt: it authenticates with the ticket just issued. The invite waits for its welcome. */
function callWith(ticket: Ticket, media: LocalMedia, key: BrowserCallKey): void {
  phone?.close();
  phone = createPhone({ asGuest: true, onState: showState, onEnded: callEnded });
  phone.call(ticket.calleeMemberId, media, key, knocks ? noteInput.value.trim() : undefined);
  phone.connect();
}

byId('guest-cancel').addEventListener('click', () => {
  awaitingTicket?.stop();
  awaitingTicket = null;
  if (phone !== null && phone.state.kind !== 'idle') phone.cancel();
  else {
    phone?.close();
    phone = null;
    show('start');
    callButton.focus();
  }
});

function showState(state: BrowserPhoneState): void {
  showCallScreen(state);
  if (state.kind === 'inviting') callingStatus.textContent = t('calls.outgoing.connecting');
  if (state.kind === 'ringing-out') callingStatus.textContent = t(knocks ? 'guest.knocking' : 'guest.ringing', { name: memberName });
  const inCall = state.kind === 'in-call';
  for (const part of document.querySelectorAll<HTMLElement>('.site-header, .site-footer, #guest-page')) part.inert = inCall;
}

function callEnded(end: CallEnd): void {
  // Each attempt has its own ticket and connection; the next one starts afresh.
  const finished = phone;
  phone = null;
  setTimeout(() => finished?.close(), 0);
  if (end.byMe && end.reason === 'cancelled') {
    show('start');
    callButton.focus();
    return;
  }
  // The ticket refused, or the server out of reach, before the invite could be sent.
  if (end.reason === 'unreachable') endedText.textContent = t('guest.connectFailed');
  else if (knocks && end.reason === 'declined') endedText.textContent = t('guest.knockRefused', { name: memberName });
  else endedText.textContent = endMessage({ ...end, peer: null }, memberName) ?? t('calls.ended.generic');
  show('ended');
  byId('guest-again').focus();
}

window.addEventListener('pagehide', () => phone?.close());
callingStatus.textContent = '';
// A browser that cannot call says so at once, before the guest types a name; ringing is refused the same way.
const lacking = callSupportProblem();
if (lacking !== null) showMediaProblem(new MediaError(lacking));
