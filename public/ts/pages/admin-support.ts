// The support inbox (support and admin): conversations filtered by state, one conversation with
// who wrote it, a reply form and a close button.
import type { SupportConversationView, SupportInbox, SupportInboxEntry } from '../../../server/contract/support.js';
import { api, ApiError } from '../lib/api.js';
import { el } from '../lib/dom.js';
import { byId, showStatus } from '../lib/forms.js';
import { hasMessage, t } from '../lib/messages.js';
import { conversationItem, startThreadPage } from '../lib/support-thread.js';

const list = byId<HTMLUListElement>('conversations');
const filter = byId<HTMLSelectElement>('state');
const form = byId<HTMLFormElement>('reply-form');
const closeButton = byId<HTMLButtonElement>('close-conversation');
const path = (reference: string): string => `/api/admin/support/conversations/${encodeURIComponent(reference)}`;

const moreButton = byId<HTMLButtonElement>('conversations-more');
/** Where the next page starts (the last page's `next`); null once everything is shown. */
let next: string | null = null;

function inboxItem(conversation: SupportInboxEntry): HTMLLIElement {
  return conversationItem(conversation, [
    el(
      'p',
      { class: 'admin-item-email' },
      `${t('support.from', { name: conversation.name, address: conversation.email })} · `,
      el('span', { class: 'badge' }, t(conversation.member ? 'support.member' : 'support.prospect')),
    ),
  ]);
}

/** The first page of the chosen state, or (`older`) the next page appended below the shown ones. */
async function showList(older = false): Promise<void> {
  const query = `state=${encodeURIComponent(filter.value)}${older && next !== null ? `&after=${encodeURIComponent(next)}` : ''}`;
  const page = await api<SupportInbox>('GET', `/api/admin/support/conversations?${query}`);
  const items = page.conversations.map(inboxItem);
  if (older) list.append(...items);
  else list.replaceChildren(...items);
  if (list.children.length === 0) list.append(el('li', { class: 'hint' }, t('support.none')));
  next = page.next;
  moreButton.hidden = next === null;
  byId('list-status').textContent = older ? t('support.shown', { count: list.children.length }) : '';
  // The first of the appended conversations takes the focus, so a keyboard reads on from there.
  if (older) items[0]?.querySelector('a')?.focus();
}

moreButton.addEventListener('click', () => {
  moreButton.disabled = true;
  showList(true)
    .catch((error: unknown) => {
      byId('list-status').textContent = t(error instanceof ApiError && hasMessage(error.code) ? error.code : 'generic');
    })
    .finally(() => {
      moreButton.disabled = false;
    });
});

const page = startThreadPage({
  showList,
  load: (reference) => api<SupportConversationView>('GET', path(reference)),
  reply: (reference, message) => api<SupportConversationView>('POST', `${path(reference)}/replies`, { message }),
  author: (message, view) => (message.author === 'requester' ? view.conversation.name : (message.staffName ?? t('support.formerStaff'))),
  meta: (view) =>
    `${t('support.from', { name: view.conversation.name, address: view.conversation.email })} · ${t(view.conversation.member ? 'support.member' : 'support.prospect')}`,
});

filter.addEventListener('change', () => void showList());

closeButton.addEventListener('click', () => {
  const current = page.current();
  if (current === null) return;
  closeButton.disabled = true;
  api<SupportConversationView>('POST', `${path(current.conversation.reference)}/close`)
    .then((view) => {
      page.show(view);
      showStatus(form, t('support.closed'));
    })
    .catch((error: unknown) => {
      const code = error instanceof ApiError && hasMessage(error.code) ? error.code : 'generic';
      showStatus(form, t(code));
    })
    .finally(() => {
      closeButton.disabled = false;
    });
});
