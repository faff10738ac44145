// /news: every current announcement in the member's language, newest first, the unread ones
// marked "New"; once shown, they are marked read on the server.
import type { NewsFeed, NewsItem } from '../../../server/contract/news.js';
import { api } from '../lib/api.js';
import { byId, el } from '../lib/dom.js';
import { formatDate, t } from '../lib/messages.js';

const list = byId<HTMLUListElement>('news');

function newsItem(item: NewsItem): HTMLLIElement {
  const dates = [t('news.published', { date: formatDate(item.createdAt) }), item.endsAt === null ? null : t('news.until', { date: formatDate(item.endsAt) })];
  return el(
    'li',
    { class: 'card news-item' },
    el(
      'article',
      { 'aria-labelledby': `news-${item.id}` },
      el('h2', { id: `news-${item.id}` }, item.title, item.read ? null : el('span', { class: 'badge badge-new' }, t('news.new'))),
      el('p', { class: 'hint' }, dates.filter((text) => text !== null).join(' · ')),
      el('p', { class: 'news-text' }, item.text),
    ),
  );
}

async function show(): Promise<void> {
  const feed = await api<NewsFeed>('GET', '/api/news');
  list.replaceChildren(...feed.announcements.map(newsItem));
  if (feed.announcements.length === 0) list.append(el('li', { class: 'hint' }, t('news.none')));
  list.removeAttribute('aria-busy');
  const unread = feed.announcements.filter((item) => !item.read).map((item) => item.id);
  if (unread.length > 0) await api('POST', '/api/news/read', { ids: unread });
}

show().catch((problem: unknown) => {
  list.removeAttribute('aria-busy');
  list.replaceChildren(el('li', { class: 'form-error', role: 'alert' }, t('generic')));
  console.warn('news', problem);
});
