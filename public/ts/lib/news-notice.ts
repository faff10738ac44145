// The notice of unread service news at the top of the calls page: the titles, a link to the news
// page, and Dismiss, which marks them read. Without unread news (or if the news cannot be read
// now) nothing is shown: the news page lists them anyway.
import type { NewsFeed } from '../../../server/contract/news.js';
import { api } from './api.js';
import { el } from './dom.js';
import { t } from './messages.js';

/** Shows the notice after `anchor` when the member has unread announcements. */
export async function showNewsNotice(anchor: Element): Promise<void> {
  const feed = await api<NewsFeed>('GET', '/api/news');
  const unread = feed.announcements.filter((item) => !item.read);
  if (unread.length === 0) return;
  const heading = el('h2', { id: 'news-notice-title' }, t('news.notice.title'));
  const dismiss = el('button', { type: 'button', class: 'button secondary small' }, t('news.notice.dismiss'));
  const notice = el(
    'section',
    { class: 'call-notice news-notice', id: 'news-notice', 'aria-labelledby': 'news-notice-title' },
    heading,
    el('ul', { class: 'plain-list' }, ...unread.map((item) => el('li', {}, item.title))),
    el('div', { class: 'actions' }, el('a', { class: 'button small', href: '/news' }, t('news.notice.read')), dismiss),
  );
  dismiss.addEventListener('click', () => {
    dismiss.disabled = true;
    api('POST', '/api/news/read', { ids: unread.map((item) => item.id) }).then(
      () => notice.remove(),
      // Still unread on the server: the notice stays, and comes back on the next visit anyway.
      () => (dismiss.disabled = false),
    );
  });
  anchor.after(notice);
}
