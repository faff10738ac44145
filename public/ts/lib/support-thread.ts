// The parts the member's support page and the staff's inbox share: the list of conversations,
// one conversation's messages, the reply form, and the location hash that says which
// conversation is open (so the browser's back button returns to the list).
import type { SupportConversationSummary, SupportConversationView, SupportMessageView } from '../../../server/contract/support.js';
import { el } from './dom.js';
import { byId, onSubmit, showStatus } from './forms.js';
import { ApiError } from './api.js';
import { formatDate, hasMessage, t } from './messages.js';

export type ThreadPage = Readonly<{
  /** Renders the list (the page fetches it its own way). */
  showList(): Promise<void>;
  /** Fetches one conversation. */
  load(reference: string): Promise<SupportConversationView>;
  /** Sends a reply; resolves with the conversation as it is now. */
  reply(reference: string, message: string): Promise<SupportConversationView>;
  /** Who wrote a message, as this page names them. */
  author(message: SupportMessageView, view: SupportConversationView): string;
  /** Extra details of the open conversation (the staff see who wrote). */
  meta?(view: SupportConversationView): string;
}>;

const listView = byId('list-view');
const conversationView = byId('conversation-view');
const title = byId('conversation-title');
const messages = byId<HTMLOListElement>('messages');
const form = byId<HTMLFormElement>('reply-form');
const textarea = byId<HTMLTextAreaElement>('message');

/** One item of a conversation list, whose link opens it. */
export function conversationItem(conversation: SupportConversationSummary, details: readonly (Node | string)[] = []): HTMLLIElement {
  return el(
    'li',
    { class: 'admin-item' },
    el(
      'div',
      { class: 'admin-item-head' },
      el('strong', { class: 'support-subject' }, conversation.subject),
      el('span', { class: 'badge' }, t(`support.state.${conversation.state}`)),
    ),
    ...details,
    el(
      'p',
      { class: 'hint' },
      `${t('support.reference', { reference: conversation.reference })} · ${t('support.updated', { date: formatDate(conversation.updatedAt) })} · ${t('support.count', { count: conversation.messages })}`,
    ),
    el('p', {}, el('a', { href: `#${conversation.reference}`, 'aria-label': t('support.openLabel', { subject: conversation.subject }) }, t('support.open'))),
  );
}

/** The reference in the location hash, or null for the list. */
export function openReference(): string | null {
  const reference = decodeURIComponent(location.hash.slice(1));
  return reference === '' ? null : reference;
}

export function startThreadPage(page: ThreadPage): { current(): SupportConversationView | null; show(view: SupportConversationView): void } {
  let current: SupportConversationView | null = null;

  const show = (view: SupportConversationView): void => {
    current = view;
    title.textContent = view.conversation.subject;
    const meta = [t('support.reference', { reference: view.conversation.reference }), t(`support.state.${view.conversation.state}`)];
    const extra = page.meta?.(view);
    byId('conversation-meta').textContent = [...(extra === undefined ? [] : [extra]), ...meta].join(' · ');
    byId('closed-note').hidden = view.conversation.state !== 'closed';
    messages.replaceChildren(
      ...view.messages.map((message) =>
        el(
          'li',
          { class: `support-message support-${message.author}` },
          el('p', { class: 'support-author' }, `${page.author(message, view)} · ${t('support.writtenOn', { date: formatDate(message.createdAt) })}`),
          el('p', { class: 'support-body' }, message.body),
        ),
      ),
    );
  };

  const route = async (): Promise<void> => {
    const reference = openReference();
    listView.hidden = reference !== null;
    conversationView.hidden = reference === null;
    if (reference === null) {
      current = null;
      await page.showList();
      return;
    }
    show(await page.load(reference));
    title.focus();
  };

  onSubmit(form, async () => {
    if (current === null) return;
    show(await page.reply(current.conversation.reference, textarea.value));
    textarea.value = '';
    showStatus(form, t('support.replied'));
  });
  // A conversation that cannot be read (gone, another's, the network) leaves the list in view with the reason.
  const showError = (error: unknown): void => {
    listView.hidden = false;
    conversationView.hidden = true;
    const code = error instanceof ApiError && hasMessage(error.code) ? error.code : 'generic';
    byId('list-status').textContent = t(code, { seconds: error instanceof ApiError ? (error.retryAfterS ?? '') : '' });
  };
  window.addEventListener('hashchange', () => void route().catch(showError));
  void route().catch(showError);
  return { current: () => current, show };
}
