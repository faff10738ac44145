// The support inbox (support and admin): conversations filtered by state, one conversation with
// who wrote it, a reply form and a close button.
import type { SupportConversationView, SupportInbox } from '../../../server/contract/support.js';
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

async function showList(): Promise<void> {
  const { conversations, more } = await api<SupportInbox>('GET', `/api/admin/support/conversations?state=${encodeURIComponent(filter.value)}`);
  list.replaceChildren(
    ...conversations.map((conversation) =>
      conversationItem(conversation, [
        el(
          'p',
          { class: 'admin-item-email' },
          `${t('support.from', { name: conversation.name, address: conversation.email })} · `,
          el('span', { class: 'badge' }, t(conversation.member ? 'support.member' : 'support.prospect')),
        ),
      ]),
    ),
  );
  if (conversations.length === 0) list.append(el('li', { class: 'hint' }, t('support.none')));
  byId('list-status').textContent = more ? t('support.more') : '';
}

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
