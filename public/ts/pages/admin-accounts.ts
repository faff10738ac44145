// The accounts page: search, then per account its technical state and, for an admin, its role
// and a disable/enable switch. Support sees the list without the controls (the API refuses them
// the changes anyway).
import type { AccountList, AccountSummary, ProfileView, Role } from '../../../server/contract/api.js';
import { ROLES } from '../../../server/contract/api.js';
import { api, ApiError } from '../lib/api.js';
import { el } from '../lib/dom.js';
import { byId, onSubmit } from '../lib/forms.js';
import { formatDate, hasMessage, t } from '../lib/messages.js';

const form = byId<HTMLFormElement>('search-form');
const list = byId<HTMLUListElement>('accounts');
const status = byId<HTMLElement>('accounts-status');
const query = byId<HTMLInputElement>('q');
let canManage = false;
let myId = '';

function problemText(error: unknown): string {
  const code = error instanceof ApiError ? error.code : 'generic';
  return t(hasMessage(code) ? code : 'generic');
}

function accountItem(account: AccountSummary): HTMLLIElement {
  const name = `${account.firstName} ${account.lastName}`;
  const item = el('li', { class: 'admin-item' });
  const alert = el('p', { class: 'field-error', role: 'alert', hidden: true });
  const state = account.disabledAt === null ? t('admin.account.active') : t('admin.account.disabled', { date: formatDate(account.disabledAt) });
  item.append(
    el('div', { class: 'admin-item-head' }, el('strong', {}, name), el('span', { class: 'badge' }, t(`admin.role.${account.role}`))),
    el('p', { class: 'admin-item-email' }, account.email),
    el(
      'p',
      { class: 'hint' },
      `${state} · ${t('admin.account.created', { date: formatDate(account.createdAt) })} · `,
      account.lastSeenAt === null ? t('admin.account.never') : t('admin.account.lastSeen', { date: formatDate(account.lastSeenAt) }),
      ` · ${t('admin.account.sessions', { count: account.sessions })}`,
    ),
  );
  if (canManage) item.append(controls(account, name, alert));
  item.append(alert);
  return item;
}

function controls(account: AccountSummary, name: string, alert: HTMLElement): HTMLElement {
  const selectId = `role-${account.id}`;
  const select = el(
    'select',
    { id: selectId },
    ...ROLES.map((role) => el('option', { value: role, selected: role === account.role }, t(`admin.role.${role}`))),
  );
  const saveRole = el('button', { class: 'button secondary small', type: 'button' }, t('admin.account.saveRole'));
  const act = async (button: HTMLButtonElement, run: () => Promise<AccountSummary>): Promise<void> => {
    button.disabled = true;
    alert.hidden = true;
    try {
      const updated = await run();
      const replacement = accountItem(updated);
      button.closest('li')?.replaceWith(replacement);
      replacement.querySelector<HTMLElement>('select, button')?.focus();
      status.textContent = t('saved');
    } catch (error) {
      alert.textContent = problemText(error);
      alert.hidden = false;
      button.disabled = false;
    }
  };
  saveRole.addEventListener('click', () => {
    void act(saveRole, () => api<AccountSummary>('PUT', `/api/admin/accounts/${encodeURIComponent(account.id)}/role`, { role: select.value as Role }));
  });
  const row = el(
    'div',
    { class: 'actions admin-controls' },
    el('label', { for: selectId, class: 'visually-hidden' }, t('admin.account.role', { name })),
    select,
    saveRole,
  );
  if (account.id !== myId) {
    const disabled = account.disabledAt !== null;
    const toggle = el(
      'button',
      {
        class: disabled ? 'button secondary small' : 'button danger small',
        type: 'button',
        'aria-label': t(disabled ? 'admin.account.enableLabel' : 'admin.account.disableLabel', { name }),
      },
      t(disabled ? 'admin.account.enable' : 'admin.account.disable'),
    );
    toggle.addEventListener('click', () => {
      void act(toggle, () => api<AccountSummary>('POST', `/api/admin/accounts/${encodeURIComponent(account.id)}/${disabled ? 'enable' : 'disable'}`));
    });
    row.append(toggle);
  }
  return row;
}

async function search(): Promise<void> {
  const { accounts, more } = await api<AccountList>('GET', `/api/admin/accounts?q=${encodeURIComponent(query.value)}`);
  list.replaceChildren(...accounts.map(accountItem));
  status.textContent = accounts.length === 0 ? t('admin.accounts.none') : more ? t('admin.accounts.more') : '';
}

onSubmit(form, search);

void api<ProfileView>('GET', '/api/me').then(async (me) => {
  myId = me.id;
  canManage = me.role === 'admin';
  await search();
});
