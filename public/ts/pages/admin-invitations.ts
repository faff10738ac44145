// The invitations page: create one (uses, days, optional address), show its link once with a
// copy button, list the recent ones with their state, withdraw one.
import type { InvitationCreated, InvitationList, InvitationView } from '../../../server/contract/api.js';
import { api, ApiError } from '../lib/api.js';
import { el } from '../lib/dom.js';
import { byId, onSubmit } from '../lib/forms.js';
import { formatDate, hasMessage, t } from '../lib/messages.js';

const form = byId<HTMLFormElement>('invite-form');
const list = byId<HTMLUListElement>('invitations');
const created = byId<HTMLElement>('created');
const linkInput = byId<HTMLInputElement>('created-link');
const copyButton = byId<HTMLButtonElement>('copy-link');
const copyStatus = byId<HTMLElement>('copy-status');

byId('created-label').textContent = t('admin.invitation.link');
copyButton.textContent = t('admin.invitation.copy');

function invitationItem(invitation: InvitationView): HTMLLIElement {
  const who =
    invitation.email !== null
      ? t('admin.invitation.forEmail', { address: invitation.email })
      : invitation.bound
        ? t('admin.invitation.forUsedAddress')
        : t('admin.invitation.forAnyone');
  const item = el(
    'li',
    { class: 'admin-item' },
    el('div', { class: 'admin-item-head' }, el('strong', {}, who), el('span', { class: 'badge' }, t(`admin.invitation.state.${invitation.state}`))),
    el(
      'p',
      { class: 'hint' },
      `${t('admin.invitation.uses', { uses: invitation.uses, max: invitation.maxUses })} · ${t('admin.invitation.expires', { date: formatDate(invitation.expiresAt) })}`,
    ),
  );
  if (invitation.state === 'active') {
    const alert = el('p', { class: 'field-error', role: 'alert', hidden: true });
    const revoke = el(
      'button',
      { class: 'button secondary small', type: 'button', 'aria-label': t('admin.invitation.revokeLabel', { date: formatDate(invitation.createdAt) }) },
      t('admin.invitation.revoke'),
    );
    revoke.addEventListener('click', () => {
      revoke.disabled = true;
      api('POST', `/api/admin/invitations/${encodeURIComponent(invitation.id)}/revoke`).then(showList, (error: unknown) => {
        const code = error instanceof ApiError ? error.code : 'generic';
        alert.textContent = t(hasMessage(code) ? code : 'generic');
        alert.hidden = false;
        revoke.disabled = false;
      });
    });
    item.append(el('div', { class: 'actions' }, revoke), alert);
  }
  return item;
}

async function showList(): Promise<void> {
  const { invitations } = await api<InvitationList>('GET', '/api/admin/invitations');
  list.replaceChildren(...invitations.map(invitationItem));
  if (invitations.length === 0) list.append(el('li', { class: 'hint' }, t('admin.invitations.none')));
}

onSubmit(form, async () => {
  const number = (id: string): number => Number(byId<HTMLInputElement>(id).value);
  const email = byId<HTMLInputElement>('email').value.trim();
  const answer = await api<InvitationCreated>('POST', '/api/admin/invitations', {
    maxUses: number('maxUses'),
    expiresInDays: number('expiresInDays'),
    ...(email === '' ? {} : { email }),
  });
  byId('created-text').textContent = t('admin.invitation.created');
  linkInput.value = answer.url;
  copyStatus.textContent = '';
  created.hidden = false;
  created.focus();
  await showList();
});

copyButton.addEventListener('click', () => {
  const copied = navigator.clipboard?.writeText(linkInput.value) ?? Promise.reject(new Error('no clipboard'));
  copied.then(
    () => (copyStatus.textContent = t('admin.invitation.copied')),
    () => {
      // Without clipboard access the link is selected, ready for the system's own copy.
      linkInput.select();
      copyStatus.textContent = t('admin.invitation.copyFailed');
    },
  );
});

void showList();
