// "My data": a summary of what is stored, the export link, and deletion with confirmation.
import type { ProfileView as Profile, SessionList } from '../../../server/contract/api.js';
import { api } from '../lib/api.js';
import { byId, onSubmit } from '../lib/forms.js';
import { formatDate, t } from '../lib/messages.js';

async function showSummary(): Promise<void> {
  const [profile, { sessions }] = await Promise.all([api<Profile>('GET', '/api/me'), api<SessionList>('GET', '/api/me/sessions')]);
  const lines = [
    profile.email,
    `${profile.firstName} ${profile.lastName}`,
    profile.avatar === null ? t('pictureNo') : t('pictureYes'),
    t('memberSince', { date: formatDate(profile.createdAt) }),
    profile.policy.acceptedVersion === null
      ? ''
      : t('policyAccepted', { version: profile.policy.acceptedVersion, date: formatDate(profile.policy.acceptedAt ?? profile.createdAt) }),
    profile.policy.acceptedVersion === profile.policy.currentVersion ? '' : t('policyOutdated', { version: profile.policy.currentVersion }),
    t('sessionsCount', { count: sessions.length }),
  ].filter((line) => line !== '');
  const items = lines.map((line) => {
    const item = document.createElement('li');
    item.textContent = line;
    return item;
  });
  if (profile.policy.acceptedVersion !== profile.policy.currentVersion) {
    // The policy changed since the member accepted it: link to it and offer to accept the new one.
    const item = document.createElement('li');
    const read = document.createElement('a');
    read.href = '/privacy';
    read.textContent = t('acceptPolicy', { version: profile.policy.currentVersion });
    const accept = document.createElement('button');
    accept.type = 'button';
    accept.className = 'button small';
    accept.textContent = t('accept');
    accept.setAttribute('aria-label', `${t('accept')} — ${profile.policy.currentVersion}`);
    accept.addEventListener('click', () => void api('POST', '/api/me/policy', { acceptPolicy: true }).then(showSummary));
    item.append(read, ' ', accept);
    items.push(item);
  }
  byId<HTMLUListElement>('summary').replaceChildren(...items);
}

const form = byId<HTMLFormElement>('delete-form');
onSubmit(form, async () => {
  const confirm = byId<HTMLInputElement>('confirm');
  if (!confirm.checked) {
    const message = byId<HTMLElement>('confirm-error');
    message.textContent = t('confirm_required');
    message.hidden = false;
    confirm.setAttribute('aria-invalid', 'true');
    confirm.focus();
    return;
  }
  await api('DELETE', '/api/me', { password: byId<HTMLInputElement>('password').value });
  window.location.assign('/');
});

showSummary().catch(() => window.location.assign('/login'));
