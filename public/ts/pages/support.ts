// A member's support page: their conversations, one at a time with its messages, and an answer
// form. Staff replies show as "Support", never a staff member's name.
import type { SupportConversationList, SupportConversationView } from '../../../server/contract/support.js';
import { api } from '../lib/api.js';
import { el } from '../lib/dom.js';
import { byId } from '../lib/forms.js';
import { t } from '../lib/messages.js';
import { conversationItem, startThreadPage } from '../lib/support-thread.js';

const list = byId<HTMLUListElement>('conversations');
const path = (reference: string): string => `/api/support/conversations/${encodeURIComponent(reference)}`;

startThreadPage({
  async showList() {
    const { conversations } = await api<SupportConversationList>('GET', '/api/support/conversations');
    list.replaceChildren(...conversations.map((conversation) => conversationItem(conversation)));
    if (conversations.length === 0) list.append(el('li', { class: 'hint' }, t('support.none')));
  },
  load: (reference) => api<SupportConversationView>('GET', path(reference)),
  reply: (reference, message) => api<SupportConversationView>('POST', `${path(reference)}/messages`, { message }),
  author: (message) => t(message.author === 'staff' ? 'support.team' : 'support.you'),
});
