// /calls, a member's phone: while this page is open the member is rung here (on every tab and
// device that has it open), and the page says so, or why not. It shows first the call link with
// Copy, Share and its settings (after a first explanation until dismissed), then the call log
// (made and received), the directory of members to call, the incoming-call dialog, the outgoing
// "calling…" panel and, during a call, the call screen.
import { api, ApiError } from '../lib/api.js';
import { createPhone, followCallScreen, type BrowserPhoneState } from '../lib/call/browser-phone.js';
import { RingingPreparation } from '../lib/call/warm-up.js';
import { prepareCallKey } from '../lib/call/certificate.js';
import { LocalMedia } from '../lib/call/local-media.js';
import { callSupportProblem, openLocalMedia } from '../lib/call/media.js';
import type { CallEnd } from '../lib/call/phone.js';
import { CallLog } from '../lib/call-log.js';
import { callLinkPanel } from '../lib/call-link-panel.js';
import { MemberDirectory } from '../lib/directory.js';
import { avatar, endMessage, mediaProblemMessage } from '../lib/call-ui.js';
import { byId, el } from '../lib/dom.js';
import { hasMessage, t } from '../lib/messages.js';
import { showVerificationBanner } from '../lib/verify-banner.js';
import { showWelcomeOnce } from '../lib/welcome.js';
import { showNewsNotice } from '../lib/news-notice.js';
import { blockCaller, showQuietTime } from '../lib/reach.js';
import { CLOSE_CODES, type PartyView } from '../../../server/signal/protocol.js';
import type { MeView } from '../../../server/contract/api.js';

const pictureOf = (memberId: string): string | null => directory.pictureOf(memberId);

// --- the call link ------------------------------------------------------------------------

const link = callLinkPanel();

// --- the directory --------------------------------------------------------------------------

const directory = new MemberDirectory({
  form: byId<HTMLFormElement>('directory-search'),
  input: byId<HTMLInputElement>('directory-filter'),
  list: byId<HTMLUListElement>('directory'),
  more: byId<HTMLButtonElement>('directory-more'),
  empty: byId('directory-empty'),
  noMatch: byId('directory-nomatch'),
  error: byId('directory-error'),
  onCall: (memberId, name) => void startCall(memberId, name),
});

function setCallingEnabled(enabled: boolean): void {
  directory.setCallingEnabled(enabled);
  log.setCallingEnabled(enabled);
}

// --- the call log -----------------------------------------------------------------------------

const log = new CallLog({
  list: byId<HTMLOListElement>('call-log'),
  empty: byId('log-empty'),
  more: byId<HTMLButtonElement>('log-more'),
  error: byId('log-error'),
  heading: byId('log-title'),
  filters: [...document.querySelectorAll<HTMLInputElement>('input[name="log-filter"]')],
  undo: { text: byId('log-undo-text'), button: byId<HTMLButtonElement>('log-undo') },
  pictureOf,
  onCallBack: (memberId, name) => void startCall(memberId, name),
});

// --- notices ----------------------------------------------------------------------------------

const notice = byId('call-notice');
const noticeText = byId('call-notice-text');
const noticeActions = byId('call-notice-actions');

function showNotice(text: string, actions: HTMLButtonElement[] = []): void {
  noticeText.textContent = text;
  noticeActions.replaceChildren(...actions);
  noticeActions.hidden = actions.length === 0;
  notice.hidden = false;
}
function hideNotice(): void {
  notice.hidden = true;
}
byId('call-notice-close').addEventListener('click', hideNotice);

function actionButton(label: string, onClick: () => void): HTMLButtonElement {
  const button = el('button', { type: 'button', class: 'button small' }, label);
  button.addEventListener('click', onClick);
  return button;
}

// --- calls ------------------------------------------------------------------------------------

const callArea = byId('call-area');
const outgoing = byId('outgoing');
const outgoingTitle = byId('outgoing-title');
const outgoingStatus = byId('outgoing-status');
const incomingDialog = byId<HTMLDialogElement>('incoming-dialog');
const signalStatus = byId('signal-status');
/** Who we are calling, for messages before the server names them. */
let outgoingName = '';

const showCallScreen = followCallScreen(callArea);
const ringing = new RingingPreparation();
const phone = createPhone({
  prepared: ringing,
  onState: showState,
  onEnded: callEnded,
  onSignalState(state, code) {
    signalStatus.dataset['state'] = state;
    if (state === 'closed' && code === CLOSE_CODES.sessionEnded) void explainSessionEnd();
    if (state === 'closed') {
      signalStatus.textContent = t(
        code === CLOSE_CODES.sessionEnded
          ? 'calls.reach.sessionEnded'
          : code === CLOSE_CODES.unsupportedVersion
            ? 'calls.reach.outdated'
            : 'calls.reach.closed',
      );
    } else signalStatus.textContent = t(`calls.reach.${state}`);
  },
  onRefusal(code) {
    showNotice(t(hasMessage(`calls.refused.${code}`) ? `calls.refused.${code}` : 'generic'));
  },
});

/**
 * The server ends a member's sockets when their session ends, and also when their new address
 * awaits verification (nobody may ring them until then): the latter shows the banner instead of
 * a log-out message.
 */
async function explainSessionEnd(): Promise<void> {
  const me = await api<MeView>('GET', '/api/me').catch(() => null);
  if (me !== null && showVerificationBanner(me)) signalStatus.hidden = true;
}

async function startCall(memberId: string, name: string, audioOnly = false): Promise<void> {
  if (phone.state.kind !== 'idle') return;
  hideNotice();
  outgoingName = name;
  showOutgoing(name, pictureOf(memberId), t('calls.outgoing.preparing'));
  setCallingEnabled(false);
  // The certificate is made while the camera opens: neither waits for the other.
  const keyMade = prepareCallKey();
  let stream: MediaStream;
  try {
    stream = await openLocalMedia(audioOnly ? { video: false } : {});
  } catch (problem) {
    outgoing.hidden = true;
    setCallingEnabled(true);
    showNotice(mediaProblemMessage(problem), [
      actionButton(t('media.retry'), () => void startCall(memberId, name)),
      actionButton(t('media.audioOnly'), () => void startCall(memberId, name, true)),
    ]);
    return;
  }
  const key = await keyMade;
  if (key === null) {
    for (const track of stream.getTracks()) track.stop();
    outgoing.hidden = true;
    setCallingEnabled(true);
    showNotice(t('call.keyFailed'));
    return;
  }
  if (!phone.call(memberId, new LocalMedia(stream), key)) setCallingEnabled(phone.state.kind === 'idle');
}

function showOutgoing(name: string, picture: string | null, status: string): void {
  byId('outgoing-avatar').replaceChildren(avatar(name, picture, 'large'));
  outgoingTitle.textContent = t('calls.outgoing.calling', { name });
  outgoingStatus.textContent = status;
  if (outgoing.hidden) {
    outgoing.hidden = false;
    byId('outgoing-cancel').focus();
  }
}

byId('outgoing-cancel').addEventListener('click', () => {
  if (phone.state.kind === 'idle') {
    // Still opening the camera: nothing was sent yet.
    outgoing.hidden = true;
    setCallingEnabled(true);
    return;
  }
  phone.cancel();
});

function showState(state: BrowserPhoneState): void {
  showCallScreen(state);
  setCallingEnabled(state.kind === 'idle');
  if (state.kind === 'inviting') showOutgoing(outgoingName, pictureOf(state.calleeMemberId), t('calls.outgoing.connecting'));
  else if (state.kind === 'ringing-out') showOutgoing(state.callee.displayName, pictureOf(memberIdOf(state.callee)), t('calls.outgoing.ringing'));
  else outgoing.hidden = true;

  if (state.kind === 'ringing-in') {
    showIncoming(state.caller, state.knock ?? null);
    const { callId } = state;
    ringing.start(callId, state.ice, () => phone.state.kind === 'ringing-in' && phone.state.callId === callId);
  } else if (state.kind !== 'accepting' && incomingDialog.open) incomingDialog.close();
  // A call that stopped ringing here unanswered: the connection warmed for it goes (a call
  // answered here took it over already).
  if (state.kind !== 'ringing-in' && state.kind !== 'accepting') ringing.discard();

  const inCall = state.kind === 'in-call';
  // While the call screen covers the page, nothing behind it takes focus or is read out.
  for (const part of document.querySelectorAll<HTMLElement>('.site-header, .site-footer, #calls-page')) part.inert = inCall;
  if (state.kind === 'ringing-in') document.title = t('calls.incoming.tabTitle', { name: state.caller.displayName });
  else document.title = pageTitle;
}

const pageTitle = document.title;

function showIncoming(caller: PartyView, knock: { note: string } | null): void {
  const name = caller.displayName;
  byId('incoming-avatar').replaceChildren(avatar(name, pictureOf(memberIdOf(caller)), 'large'));
  byId('incoming-who').textContent = name;
  byId('incoming-note').textContent = caller.kind === 'guest' ? t('calls.incoming.guest') : t('calls.incoming.member');
  showKnock(knock);
  byId('incoming-error').hidden = true;
  for (const button of incomingDialog.querySelectorAll('button')) button.disabled = false;
  if (!incomingDialog.open) incomingDialog.showModal();
  byId('incoming-accept').focus();
}

// A guest's knock: its note, quoted as the guest typed it (text, never markup), and "Let in" / "Refuse".
const incomingTexts = { title: byId('incoming-title').textContent, accept: byId('incoming-accept').textContent, decline: byId('incoming-decline').textContent };
function showKnock(knock: { note: string } | null): void {
  const quote = byId('incoming-knock-note');
  quote.hidden = knock === null || knock.note === '';
  quote.textContent = knock?.note ?? '';
  incomingDialog.dataset['knock'] = String(knock !== null);
  byId('incoming-title').textContent = knock === null ? incomingTexts.title : t('calls.knock.title');
  byId('incoming-accept').textContent = knock === null ? incomingTexts.accept : t('calls.knock.letIn');
  byId('incoming-decline').textContent = knock === null ? incomingTexts.decline : t('calls.knock.refuse');
}

// Escape must not make a call vanish unanswered: declining is an explicit button.
incomingDialog.addEventListener('cancel', (event) => event.preventDefault());
byId('incoming-decline').addEventListener('click', () => phone.decline());
byId('incoming-accept').addEventListener('click', () => void acceptCall());
// Block turns the call down at once, then blocks the caller; the notice says which.
byId('incoming-block').addEventListener('click', () => {
  if (phone.state.kind !== 'ringing-in') return;
  const { caller } = phone.state;
  phone.decline();
  void blockCaller(caller).then((text) => {
    showNotice(text);
    byId('call-notice-close').focus();
  });
});

async function acceptCall(): Promise<void> {
  for (const button of incomingDialog.querySelectorAll('button')) button.disabled = true;
  // The certificate made while it rang (ringing.start), while the camera opens.
  const keyMade = ringing.key(phone.state.kind === 'ringing-in' ? phone.state.callId : null);
  // Camera and microphone; sound only; and as a last resort nothing, so the call can still be
  // taken to see and hear the other side.
  const stream = await openLocalMedia()
    .catch(() => openLocalMedia({ video: false }))
    .catch(() => new MediaStream());
  const key = await keyMade;
  if (phone.state.kind !== 'ringing-in' || key === null) {
    for (const track of stream.getTracks()) track.stop();
    // Without a certificate the call cannot be taken: it is turned down, and the person told why.
    if (key === null && phone.state.kind === 'ringing-in') {
      phone.decline();
      showNotice(t('call.keyFailed'));
    }
    return;
  }
  phone.accept(new LocalMedia(stream), key);
}

function callEnded(end: CallEnd): void {
  if (incomingDialog.open) incomingDialog.close();
  outgoing.hidden = true;
  const message = endMessage(end, outgoingName);
  const actions: HTMLButtonElement[] = [];
  const peerMember = end.peer?.kind === 'member' ? end.peer : null;
  if (peerMember !== null && !end.byMe && end.reason !== 'answered-elsewhere') {
    const name = peerMember.displayName;
    actions.push(actionButton(t('calls.log.callBackLabel', { name }), () => void startCall(peerMember.memberId, name)));
  }
  // The one who just rang (or was just talked to) can be blocked from here.
  const caller = end.direction === 'incoming' && end.reason !== 'answered-elsewhere' ? end.peer : null;
  if (caller !== null) {
    actions.push(actionButton(t('reach.block', { name: caller.displayName }), () => void blockCaller(caller).then((text) => showNotice(text))));
  }
  if (message !== null) {
    showNotice(message, actions);
    byId('call-notice-close').focus();
  }
  void log.refresh();
}

function memberIdOf(party: PartyView): string {
  return party.kind === 'member' ? party.memberId : '';
}

// --- the first-visit explanation -----------------------------------------------------------------

showWelcomeOnce(byId('welcome'), byId('welcome-dismiss'), () => link.focus());

// --- start --------------------------------------------------------------------------------------

window.addEventListener('pagehide', () => phone.close());

// A browser without what a call needs does not connect: it would ring, then fail to answer. The
// member reads why where the page says whether they can be called.
const lacking = callSupportProblem();
function connectIfAble(): void {
  if (lacking === null) {
    phone.connect();
    return;
  }
  signalStatus.dataset['state'] = 'unsupported';
  signalStatus.textContent = `${t('calls.reach.unsupported')} ${t(`media.${lacking}`)}`;
}

// A member whose address awaits verification is not connected: nobody may ring them yet.
api<MeView>('GET', '/api/me').then(
  (me) => {
    link.show(me.callLink);
    if (showVerificationBanner(me)) byId('signal-status').hidden = true;
    else connectIfAble();
  },
  (problem: unknown) => {
    if (problem instanceof ApiError && problem.status === 401) window.location.assign('/login');
    else {
      link.problem(problem);
      connectIfAble();
    }
  },
);
// Unread service news under the heading; the page works the same without it.
showNewsNotice(byId('signal-status').parentElement ?? byId('calls-page')).catch((problem: unknown) => console.warn('news', problem));
showQuietTime(byId('reach-quiet'));
// The directory first, so the log can show the pictures it knows.
void directory.load(true).finally(() => void log.refresh());
