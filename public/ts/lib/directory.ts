// The directory on /calls: the other members, searched by name on the server (case and accents
// ignored) and paged with "show more members", so no one is crowded out however many there are.
// A member who shows their presence is marked "can be called now" while their calls page is open.
import type { Directory, DirectoryMember } from '../../../server/contract/api.js';
import { api, ApiError } from './api.js';
import { avatar } from './call-ui.js';
import { el } from './dom.js';
import { hasMessage, t } from './messages.js';

/** Typing pauses this long before the search goes to the server. */
const SEARCH_DELAY_MS = 250;

export type DirectoryOptions = {
  form: HTMLFormElement;
  input: HTMLInputElement;
  list: HTMLUListElement;
  more: HTMLButtonElement;
  empty: HTMLElement;
  noMatch: HTMLElement;
  error: HTMLElement;
  onCall: (memberId: string, name: string) => void;
};

export const fullName = (member: DirectoryMember): string => `${member.firstName} ${member.lastName}`.trim();

export class MemberDirectory {
  private readonly options: DirectoryOptions;
  /** Every member shown so far, for their pictures elsewhere on the page. */
  private readonly known = new Map<string, DirectoryMember>();
  private nextOffset: number | null = null;
  private search = '';
  private timer = 0;
  /** Answers to an older search are dropped. */
  private generation = 0;
  private callingEnabled = true;

  constructor(options: DirectoryOptions) {
    this.options = options;
    options.form.addEventListener('submit', (event) => {
      event.preventDefault();
      window.clearTimeout(this.timer);
      void this.load(true);
    });
    options.input.addEventListener('input', () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.load(true), SEARCH_DELAY_MS);
    });
    options.more.addEventListener('click', () => void this.load(false));
  }

  pictureOf(memberId: string): string | null {
    return this.known.get(memberId)?.avatarUrl ?? null;
  }

  load(fromStart: boolean): Promise<void> {
    return this.fetchPage(fromStart);
  }

  setCallingEnabled(enabled: boolean): void {
    this.callingEnabled = enabled;
    for (const button of this.options.list.querySelectorAll<HTMLButtonElement>('.call-member')) button.disabled = !enabled;
  }

  private async fetchPage(fromStart: boolean): Promise<void> {
    const { list, more, empty, noMatch, error, input } = this.options;
    if (fromStart) this.search = input.value.trim();
    const generation = ++this.generation;
    const query = new URLSearchParams();
    if (this.search !== '') query.set('q', this.search);
    if (!fromStart && this.nextOffset !== null) query.set('offset', String(this.nextOffset));
    more.disabled = true;
    try {
      const page = await api<Directory>('GET', `/api/members?${query}`);
      if (generation !== this.generation) return;
      error.hidden = true;
      for (const member of page.members) this.known.set(member.id, member);
      const items = page.members.map((member) => this.entry(member));
      if (fromStart) list.replaceChildren(...items);
      else list.append(...items);
      this.nextOffset = page.nextOffset;
      more.hidden = page.nextOffset === null;
      empty.hidden = !(list.childElementCount === 0 && this.search === '');
      noMatch.hidden = !(list.childElementCount === 0 && this.search !== '');
      // After "show more", focus goes on to the first new member.
      if (!fromStart) items[0]?.querySelector<HTMLElement>('button')?.focus();
    } catch (problem) {
      if (generation !== this.generation) return;
      const code = problem instanceof ApiError ? problem.code : 'generic';
      error.textContent = t(hasMessage(code) ? code : 'generic');
      error.hidden = false;
    } finally {
      more.disabled = false;
    }
  }

  private entry(member: DirectoryMember): HTMLLIElement {
    const name = fullName(member);
    const button = el(
      'button',
      { type: 'button', class: 'button small call-member', 'aria-label': t('calls.directory.callLabel', { name }) },
      t('calls.directory.call'),
    );
    button.disabled = !this.callingEnabled;
    button.addEventListener('click', () => this.options.onCall(member.id, name));
    const reachable = member.reachable === true ? el('span', { class: 'directory-reachable' }, t('calls.directory.reachable')) : null;
    return el(
      'li',
      { class: 'directory-entry', 'data-member-id': member.id },
      el(
        'span',
        { class: 'directory-who' },
        avatar(name, member.avatarUrl),
        el('span', { class: 'directory-text' }, el('span', { class: 'directory-name' }, name), reachable),
      ),
      button,
    );
  }
}
