// The profile page: picture, names, e-mail, password, logged-in devices, log-out.
import type { EmailSettings, NewsPreference, PasswordChanged, PictureReplaced, ProfileView as Profile, SessionList } from '../../../server/contract/api.js';
import { api } from '../lib/api.js';
import { byId, clearErrors, onSubmit, previewPicture, showError, showStatus } from '../lib/forms.js';
import { formatDate, t } from '../lib/messages.js';
import { showVerificationBanner } from '../lib/verify-banner.js';
import { setUpPresenceSetting } from '../lib/presence-setting.js';

const preview = byId<HTMLImageElement>('avatar-preview');
const none = byId<HTMLElement>('avatar-none');
const removeButton = byId<HTMLButtonElement>('avatar-remove');
const avatarInput = byId<HTMLInputElement>('avatar');

function showProfile(profile: Profile): void {
  byId<HTMLInputElement>('firstName').value = profile.firstName;
  byId<HTMLInputElement>('lastName').value = profile.lastName;
  byId<HTMLInputElement>('email').value = profile.email;
  showAvatar(profile.avatar?.large ?? null);
}

function showAvatar(url: string | null): void {
  if (url !== null) preview.src = url;
  preview.hidden = url === null;
  none.hidden = url !== null;
  removeButton.hidden = url === null;
}

async function showSessions(): Promise<void> {
  const { sessions } = await api<SessionList>('GET', '/api/me/sessions');
  const list = byId<HTMLUListElement>('sessions');
  list.replaceChildren(
    ...sessions.map((session) => {
      const item = document.createElement('li');
      const text = document.createElement('div');
      const device = document.createElement('strong');
      device.textContent = session.device;
      const when = document.createElement('span');
      when.textContent = t('lastUsed', { date: formatDate(session.lastUsedAt) });
      text.append(device, document.createElement('br'), when);
      item.append(text);
      if (session.current) {
        const mark = document.createElement('span');
        mark.className = 'badge';
        mark.textContent = t('thisDevice');
        item.append(mark);
      } else {
        const end = document.createElement('button');
        end.type = 'button';
        end.className = 'button secondary small';
        end.textContent = t('endSession');
        end.setAttribute('aria-label', `${t('endSession')} — ${session.device}`);
        end.addEventListener('click', () => {
          end.disabled = true;
          void api('DELETE', `/api/me/sessions/${encodeURIComponent(session.id)}`).then(showSessions, () => (end.disabled = false));
        });
        item.append(end);
      }
      return item;
    }),
  );
}

previewPicture(avatarInput, preview, () => (none.hidden = !preview.hidden));

onSubmit(byId<HTMLFormElement>('picture-form'), async () => {
  const file = avatarInput.files?.[0];
  if (file === undefined) {
    byId<HTMLInputElement>('avatar').focus();
    return;
  }
  const upload = new FormData();
  upload.append('avatar', file);
  const { avatar } = await api<PictureReplaced>('PUT', '/api/me/avatar', upload);
  avatarInput.value = '';
  showAvatar(avatar.large);
});

removeButton.addEventListener('click', () => {
  removeButton.disabled = true;
  void api('DELETE', '/api/me/avatar')
    .then(() => showAvatar(null))
    .finally(() => (removeButton.disabled = false));
});

const namesForm = byId<HTMLFormElement>('names-form');
onSubmit(namesForm, async () => {
  showProfile(
    await api<Profile>('PATCH', '/api/me', { firstName: byId<HTMLInputElement>('firstName').value, lastName: byId<HTMLInputElement>('lastName').value }),
  );
  showStatus(namesForm, t('saved'));
});

const emailForm = byId<HTMLFormElement>('email-form');
onSubmit(
  emailForm,
  async () => {
    const password = byId<HTMLInputElement>('email-currentPassword');
    const profile = await api<Profile>('PATCH', '/api/me', { email: byId<HTMLInputElement>('email').value, currentPassword: password.value });
    password.value = '';
    showProfile(profile);
    showStatus(emailForm, t('saved'));
    // With e-mail configured the new address awaits its link: the banner says so at once.
    showVerificationBanner(await api<Profile & EmailSettings>('GET', '/api/me'));
  },
  { currentPassword: 'email-currentPassword' },
);

const passwordForm = byId<HTMLFormElement>('password-form');
onSubmit(passwordForm, async () => {
  const current = byId<HTMLInputElement>('currentPassword');
  const next = byId<HTMLInputElement>('newPassword');
  const { endedSessions } = await api<PasswordChanged>('POST', '/api/me/password', { currentPassword: current.value, newPassword: next.value });
  current.value = '';
  next.value = '';
  showStatus(passwordForm, t('passwordChanged', { count: endedSessions }));
  await showSessions();
});

byId<HTMLButtonElement>('logout').addEventListener('click', () => {
  void api('POST', '/api/auth/logout').finally(() => window.location.assign('/'));
});

// News e-mails: saved as soon as the box changes.
const newsForm = byId<HTMLFormElement>('news-form');
const newsBox = byId<HTMLInputElement>('newsEmails');
newsBox.addEventListener('change', () => {
  clearErrors(newsForm);
  newsBox.disabled = true;
  api<NewsPreference>('PUT', '/api/me/news-emails', { newsEmails: newsBox.checked })
    .then(
      (saved) => {
        newsBox.checked = saved.newsEmails;
        showStatus(newsForm, t('saved'));
      },
      (problem: unknown) => {
        newsBox.checked = !newsBox.checked;
        showError(newsForm, problem);
      },
    )
    .finally(() => (newsBox.disabled = false));
});

api<Profile & EmailSettings>('GET', '/api/me').then(
  (me) => {
    showProfile(me);
    newsBox.checked = me.newsEmails;
    showVerificationBanner(me);
  },
  () => window.location.assign('/login'),
);
void showSessions();

setUpPresenceSetting();
