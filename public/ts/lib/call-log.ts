// The member's call log on /calls: calls made and received, newest first, paged with "show
// older calls", filtered (all, or the received calls nobody answered), missed calls highlighted
// until seen (the page tells the server once they have been on screen), "call back" for calls
// with members, and one delete button per entry that asks nothing and can be undone for a few
// seconds (the entry is hidden at once and only deleted on the server when that time is up).
import type { CallLogEntry, CallLogFilter, CallLogPage, CallLogPeer } from '../../../server/contract/api.js';
import { api, ApiError } from './api.js';
import { avatar, formatDuration } from './call-ui.js';
import { el } from './dom.js';
import { formatDate, hasMessage, t } from './messages.js';

/** One screenful on a phone; "show older calls" fetches the next page. */
const PAGE_SIZE = 20;
/** Long enough to read "deleted" and reach Undo, short enough not to linger. */
const UNDO_WINDOW_MS = 8000;

export type CallLogOptions = {
  list: HTMLOListElement;
  empty: HTMLElement;
  more: HTMLButtonElement;
  error: HTMLElement;
  heading: HTMLElement;
  /** The filter's radio buttons (values of CallLogFilter). */
  filters: readonly HTMLInputElement[];
  /** A live region holding the "deleted" text and the Undo button. */
  undo: { text: HTMLElement; button: HTMLButtonElement };
  /** The picture of a member, when the directory knows one. */
  pictureOf: (memberId: string) => string | null;
  onCallBack: (memberId: string, name: string) => void;
};

type Pending = { id: number; item: HTMLLIElement; timer: number };

export class CallLog {
  private readonly options: CallLogOptions;
  private readonly emptyText: string;
  private nextBefore: number | null = null;
  private loading = false;
  private filter: CallLogFilter = 'all';
  private pending: Pending | null = null;

  constructor(options: CallLogOptions) {
    this.options = options;
    this.emptyText = options.empty.textContent ?? '';
    options.more.addEventListener('click', () => void this.load(false));
    for (const radio of options.filters) {
      radio.addEventListener('change', () => {
        if (!radio.checked) return;
        this.filter = radio.value === 'missed' ? 'missed' : 'all';
        void this.load(true);
      });
    }
    options.undo.button.addEventListener('click', () => this.undo());
    document.addEventListener('visibilitychange', () => void this.markSeenIfShown());
    // Leaving the page within the undo time still deletes the entry.
    window.addEventListener('pagehide', () => this.commitOnLeave());
  }

  /** Loads the newest page again (on open and after each call). */
  refresh(): Promise<void> {
    return this.load(true);
  }

  /** The call buttons follow whether a call can start. */
  setCallingEnabled(enabled: boolean): void {
    for (const button of this.options.list.querySelectorAll<HTMLButtonElement>('.call-back')) button.disabled = !enabled;
  }

  private async load(fromStart: boolean): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    const { list, more, error } = this.options;
    more.disabled = true;
    try {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), filter: this.filter });
      if (!fromStart && this.nextBefore !== null) query.set('before', String(this.nextBefore));
      const page = await api<CallLogPage>('GET', `/api/calls?${query}`);
      error.hidden = true;
      const items = page.calls.map((entry) => this.entryItem(entry));
      if (fromStart) list.replaceChildren(...items);
      else list.append(...items);
      // An entry waiting for its deletion stays hidden when the list is drawn again.
      const pending = this.pending;
      const again = pending === null ? null : list.querySelector<HTMLLIElement>(`[data-call-id="${pending.id}"]`);
      if (pending !== null && again !== null) {
        again.hidden = true;
        pending.item = again;
      }
      this.nextBefore = page.nextBefore;
      more.hidden = page.nextBefore === null;
      this.showEmpty();
      // Focus stays useful after "show older calls": on the first new entry.
      if (!fromStart) items[0]?.querySelector<HTMLElement>('button')?.focus();
      await this.markSeenIfShown();
    } catch (problem) {
      const code = problem instanceof ApiError ? problem.code : 'generic';
      error.textContent = t(hasMessage(code) ? code : 'generic');
      error.hidden = false;
    } finally {
      more.disabled = false;
      this.loading = false;
    }
  }

  private showEmpty(): void {
    const { list, empty } = this.options;
    empty.textContent = this.filter === 'missed' ? t('calls.log.emptyMissed') : this.emptyText;
    empty.hidden = list.querySelector('.call-entry:not([hidden])') !== null;
  }

  /** Missed calls stay highlighted on this page, and are marked seen once the page is on screen. */
  private async markSeenIfShown(): Promise<void> {
    if (document.visibilityState !== 'visible') return;
    if (this.options.list.querySelector('.call-entry[data-unseen]') === null) return;
    for (const item of this.options.list.querySelectorAll<HTMLElement>('.call-entry[data-unseen]')) item.removeAttribute('data-unseen');
    await api('POST', '/api/calls/seen').catch(() => {});
  }

  private entryItem(entry: CallLogEntry): HTMLLIElement {
    const name = peerName(entry.peer);
    const peer = entry.peer;
    const picture = peer.kind === 'member' ? this.options.pictureOf(peer.memberId) : null;
    const date = formatDate(entry.startedAt);
    const made = entry.direction === 'made';
    const details = [made ? t(`calls.outcomeMade.${entry.outcome}`) : t(`calls.outcome.${entry.outcome}`)];
    if (entry.attempts > 1) details.push(t('calls.log.attempts', { count: entry.attempts }));
    if (entry.durationS !== null) details.push(formatDuration(entry.durationS));
    const isNewMiss = !made && entry.outcome === 'missed' && !entry.seen;

    const remove = el(
      'button',
      {
        type: 'button',
        class: 'button secondary small call-delete',
        'aria-label': t(made ? 'calls.log.deleteMadeLabel' : 'calls.log.deleteLabel', { name, date }),
      },
      t('calls.log.delete'),
    );
    const actions = el('div', { class: 'call-entry-actions' });
    if (peer.kind === 'member') {
      const back = el(
        'button',
        { type: 'button', class: 'button small call-back', 'aria-label': t('calls.log.callBackLabel', { name }) },
        t('calls.log.callBack'),
      );
      back.addEventListener('click', () => this.options.onCallBack(peer.memberId, name));
      actions.append(back);
    }
    actions.append(remove);

    const item = el(
      'li',
      {
        class: `call-entry outcome-${entry.outcome}`,
        'data-call-id': String(entry.id),
        'data-direction': entry.direction,
        'data-outcome': entry.outcome,
        'data-new': isNewMiss,
        'data-unseen': isNewMiss,
      },
      el(
        'div',
        { class: 'call-entry-who' },
        // Initials from the person's own name, not from the "(guest)" label around it.
        avatar(peer.kind === 'former-member' ? '?' : peer.name, picture),
        el(
          'div',
          { class: 'call-entry-text' },
          el('span', { class: 'call-entry-name' }, name, isNewMiss ? el('span', { class: 'badge badge-new' }, t('calls.log.new')) : null),
          el(
            'span',
            { class: 'call-entry-meta' },
            el(
              'span',
              { class: 'call-direction' },
              el('span', { 'aria-hidden': 'true' }, made ? '↗ ' : '↙ '),
              t(made ? 'calls.log.made' : 'calls.log.received'),
            ),
            ' · ',
            el('span', { class: 'call-outcome' }, details.join(' · ')),
            ' · ',
            el('time', { datetime: entry.startedAt }, date),
          ),
        ),
      ),
      actions,
    );
    remove.addEventListener('click', () => this.remove(entry.id, item));
    return item;
  }

  /** Hides the entry now and deletes it when the undo time is up; focus goes to Undo, never to the next Delete. */
  private remove(id: number, item: HTMLLIElement): void {
    if (this.pending !== null) void this.commit(this.pending);
    item.hidden = true;
    const timer = window.setTimeout(() => {
      if (this.pending?.id === id) void this.commit(this.pending);
    }, UNDO_WINDOW_MS);
    this.pending = { id, item, timer };
    const { text, button } = this.options.undo;
    text.textContent = t('calls.log.deleted');
    button.hidden = false;
    button.focus();
    this.showEmpty();
  }

  private undo(): void {
    const pending = this.pending;
    if (pending === null) return;
    window.clearTimeout(pending.timer);
    this.pending = null;
    this.clearUndo();
    pending.item.hidden = false;
    this.showEmpty();
    pending.item.querySelector<HTMLElement>('.call-delete')?.focus();
  }

  private clearUndo(): void {
    const { text, button } = this.options.undo;
    const hadFocus = document.activeElement === button;
    text.textContent = '';
    button.hidden = true;
    if (hadFocus) this.options.heading.focus();
  }

  private async commit(pending: Pending): Promise<void> {
    window.clearTimeout(pending.timer);
    if (this.pending === pending) {
      this.pending = null;
      this.clearUndo();
    }
    try {
      await api('DELETE', `/api/calls/${pending.id}`);
    } catch (problem) {
      // Already gone (another tab deleted it): the entry goes anyway; otherwise it comes back.
      if (!(problem instanceof ApiError && problem.status === 404)) {
        pending.item.hidden = false;
        this.options.error.textContent = t(problem instanceof ApiError && hasMessage(problem.code) ? problem.code : 'generic');
        this.options.error.hidden = false;
        this.showEmpty();
        return;
      }
    }
    pending.item.remove();
    this.showEmpty();
  }

  private commitOnLeave(): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    window.clearTimeout(pending.timer);
    // keepalive: the request outlives the page.
    void fetch(`/api/calls/${pending.id}`, { method: 'DELETE', credentials: 'same-origin', keepalive: true }).catch(() => {});
  }
}

export function peerName(peer: CallLogPeer): string {
  if (peer.kind === 'former-member') return t('calls.log.formerMember');
  if (peer.kind === 'guest') return t('calls.log.guest', { name: peer.name });
  return peer.name;
}
