// The announcements page: write one in French and English with an optional last day, list them
// with their state, edit one in the same form, delete one.
import type { NewsAdminList, NewsAdminView, NewsInput } from '../../../server/contract/news.js';
import { api, ApiError } from '../lib/api.js';
import { el } from '../lib/dom.js';
import { byId, onSubmit, showStatus } from '../lib/forms.js';
import { formatDate, hasMessage, t } from '../lib/messages.js';

const form = byId<HTMLFormElement>('news-form');
const heading = byId<HTMLElement>('news-form-title');
const submit = byId<HTMLButtonElement>('news-submit');
const cancel = byId<HTMLButtonElement>('news-cancel');
const list = byId<HTMLUListElement>('news-admin');
const listStatus = byId<HTMLElement>('news-list-status');
const FIELDS = ['titleFr', 'textFr', 'titleEn', 'textEn'] as const;
const field = (id: string): HTMLInputElement | HTMLTextAreaElement => byId<HTMLInputElement | HTMLTextAreaElement>(id);

/** The announcement being edited, or null while the form writes a new one. */
let editing: string | null = null;
cancel.textContent = t('news.admin.cancel');

/** The last day typed in the form, as the end of that day in the admin's time zone. */
function endsAtOfForm(): string | null {
  const day = field('endsAt').value;
  return day === '' ? null : new Date(`${day}T23:59:59.999`).toISOString();
}

/** An end instant as the date field shows it: that day in the admin's time zone. */
function dayOf(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function startCreating(): void {
  editing = null;
  form.reset();
  heading.textContent = heading.dataset['create'] ?? '';
  submit.textContent = submit.dataset['create'] ?? '';
  cancel.hidden = true;
}

function startEditing(item: NewsAdminView): void {
  editing = item.id;
  for (const name of FIELDS) field(name).value = item[name];
  field('endsAt').value = item.endsAt === null ? '' : dayOf(item.endsAt);
  heading.textContent = t('news.admin.editing');
  submit.textContent = t('news.admin.save');
  cancel.hidden = false;
  field('titleFr').focus();
}

function newsItem(item: NewsAdminView): HTMLLIElement {
  const alert = el('p', { class: 'field-error', role: 'alert', hidden: true });
  const edit = el(
    'button',
    { class: 'button secondary small', type: 'button', 'aria-label': t('news.admin.editLabel', { title: item.titleFr }) },
    t('news.admin.edit'),
  );
  const remove = el(
    'button',
    { class: 'button danger small', type: 'button', 'aria-label': t('news.admin.deleteLabel', { title: item.titleFr }) },
    t('news.admin.delete'),
  );
  edit.addEventListener('click', () => startEditing(item));
  remove.addEventListener('click', () => {
    if (!window.confirm(t('news.admin.confirmDelete', { title: item.titleFr }))) return;
    remove.disabled = true;
    api('DELETE', `/api/admin/news/${encodeURIComponent(item.id)}`).then(
      async () => {
        if (editing === item.id) startCreating();
        await showList();
        listStatus.textContent = t('news.admin.deleted');
      },
      (error: unknown) => {
        const code = error instanceof ApiError ? error.code : 'generic';
        alert.textContent = t(hasMessage(code) ? code : 'generic');
        alert.hidden = false;
        remove.disabled = false;
      },
    );
  });
  const state = item.ended ? t('news.admin.ended') : t('news.admin.shown');
  const end = item.endsAt === null ? t('news.admin.noEnd') : t('news.until', { date: formatDate(item.endsAt) });
  return el(
    'li',
    { class: 'admin-item' },
    el('div', { class: 'admin-item-head' }, el('strong', { lang: 'fr' }, item.titleFr), el('span', { class: 'badge' }, state)),
    el('p', { lang: 'en' }, item.titleEn),
    el('p', { class: 'hint' }, `${t('news.published', { date: formatDate(item.createdAt) })} · ${end}`),
    el('div', { class: 'actions' }, edit, remove),
    alert,
  );
}

async function showList(): Promise<void> {
  const { announcements } = await api<NewsAdminList>('GET', '/api/admin/news');
  list.replaceChildren(...announcements.map(newsItem));
  if (announcements.length === 0) list.append(el('li', { class: 'hint' }, t('news.admin.none')));
}

cancel.addEventListener('click', startCreating);

onSubmit(form, async () => {
  const input: NewsInput = {
    titleFr: field('titleFr').value,
    textFr: field('textFr').value,
    titleEn: field('titleEn').value,
    textEn: field('textEn').value,
    endsAt: endsAtOfForm(),
  };
  const wasEditing = editing;
  if (wasEditing === null) await api<NewsAdminView>('POST', '/api/admin/news', input);
  else await api<NewsAdminView>('PUT', `/api/admin/news/${encodeURIComponent(wasEditing)}`, input);
  startCreating();
  showStatus(form, t(wasEditing === null ? 'news.admin.published' : 'news.admin.saved'));
  listStatus.textContent = '';
  await showList();
});

void showList();
