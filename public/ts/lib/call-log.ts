// The member's call log on /calls: newest first, paged with "show older calls", missed calls
// highlighted until seen (the page tells the server once they have been on screen), one delete
// button per entry, and "call back" for calls from members.
import type { CallLogCaller, CallLogEntry, CallLogPage } from '../../../server/contract/api.js';
import { api, ApiError } from './api.js';
import { avatar, formatDuration } from './call-ui.js';
import { el } from './dom.js';
import { formatDate, hasMessage, t } from './messages.js';

/** One screenful on a phone; "show older calls" fetches the next page. */
const PAGE_SIZE = 20;

export type CallLogOptions = {
  list: HTMLOListElement;
  empty: HTMLElement;
  more: HTMLButtonElement;
  error: HTMLElement;
  /** The picture of a member caller, when the directory knows one. */
  pictureOf: (memberId: string) => string | null;
  /** Whether "call back" can be offered now (no call under way). */
  onCallBack: (memberId: string, name: string) => void;
};

export class CallLog {
  private readonly options: CallLogOptions;
  private nextBefore: number | null = null;
  private loading = false;

  constructor(options: CallLogOptions) {
    this.options = options;
    options.more.addEventListener('click', () => void this.load(false));
    document.addEventListener('visibilitychange', () => void this.markSeenIfShown());
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
    const { list, empty, more, error } = this.options;
    more.disabled = true;
    try {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (!fromStart && this.nextBefore !== null) query.set('before', String(this.nextBefore));
      const page = await api<CallLogPage>('GET', `/api/calls?${query}`);
      error.hidden = true;
      const items = page.calls.map((entry) => this.entryItem(entry));
      if (fromStart) list.replaceChildren(...items);
      else list.append(...items);
      this.nextBefore = page.nextBefore;
      more.hidden = page.nextBefore === null;
      empty.hidden = list.childElementCount > 0;
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

  /** Missed calls stay highlighted on this page, and are marked seen once the page is on screen. */
  private async markSeenIfShown(): Promise<void> {
    if (document.visibilityState !== 'visible') return;
    if (this.options.list.querySelector('.call-entry[data-unseen]') === null) return;
    for (const item of this.options.list.querySelectorAll<HTMLElement>('.call-entry[data-unseen]')) item.removeAttribute('data-unseen');
    await api('POST', '/api/calls/seen').catch(() => {});
  }

  private entryItem(entry: CallLogEntry): HTMLLIElement {
    const name = callerName(entry.caller);
    const picture = entry.caller.kind === 'member' ? this.options.pictureOf(entry.caller.memberId) : null;
    const date = formatDate(entry.startedAt);
    const details = [t(`calls.outcome.${entry.outcome}`)];
    if (entry.durationS !== null) details.push(formatDuration(entry.durationS));
    const isNewMiss = entry.outcome === 'missed' && !entry.seen;

    const remove = el(
      'button',
      { type: 'button', class: 'button secondary small call-delete', 'aria-label': t('calls.log.deleteLabel', { name, date }) },
      t('calls.log.delete'),
    );
    const actions = el('div', { class: 'call-entry-actions' });
    const caller = entry.caller;
    if (caller.kind === 'member') {
      const back = el(
        'button',
        { type: 'button', class: 'button small call-back', 'aria-label': t('calls.log.callBackLabel', { name }) },
        t('calls.log.callBack'),
      );
      back.addEventListener('click', () => this.options.onCallBack(caller.memberId, name));
      actions.append(back);
    }
    actions.append(remove);

    const item = el(
      'li',
      {
        class: `call-entry outcome-${entry.outcome}`,
        'data-call-id': String(entry.id),
        'data-outcome': entry.outcome,
        'data-new': isNewMiss,
        'data-unseen': isNewMiss,
      },
      el(
        'div',
        { class: 'call-entry-who' },
        // Initials from the person's own name, not from the "(guest)" label around it.
        avatar(entry.caller.kind === 'former-member' ? '?' : entry.caller.name, picture),
        el(
          'div',
          { class: 'call-entry-text' },
          el('span', { class: 'call-entry-name' }, name, isNewMiss ? el('span', { class: 'badge badge-new' }, t('calls.log.new')) : null),
          el(
            'span',
            { class: 'call-entry-meta' },
            el('span', { class: 'call-outcome' }, details.join(' · ')),
            ' · ',
            el('time', { datetime: entry.startedAt }, date),
          ),
        ),
      ),
      actions,
    );
    remove.addEventListener('click', () => void this.remove(entry.id, item, remove));
    return item;
  }

  private async remove(id: number, item: HTMLLIElement, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await api('DELETE', `/api/calls/${id}`);
    } catch (problem) {
      // Already gone (another tab deleted it): the entry goes anyway.
      if (!(problem instanceof ApiError && problem.status === 404)) {
        button.disabled = false;
        return;
      }
    }
    const next = (item.nextElementSibling ?? item.previousElementSibling) as HTMLElement | null;
    item.remove();
    this.options.empty.hidden = this.options.list.childElementCount > 0;
    (next?.querySelector<HTMLElement>('.call-delete') ?? document.getElementById('log-title'))?.focus();
  }
}

export function callerName(caller: CallLogCaller): string {
  if (caller.kind === 'former-member') return t('calls.log.formerMember');
  if (caller.kind === 'guest') return t('calls.log.guest', { name: caller.name });
  return caller.name;
}
