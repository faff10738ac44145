// Sign-up: creates the account, then uploads the optional picture, then opens the profile. The
// same form creates the first admin on the setup page (/setup/<token>). An invitation link
// (/signup?invite=CODE) fills the invitation code in.
import { api, ApiError } from '../lib/api.js';
import { byId, onSubmit, previewPicture, showError } from '../lib/forms.js';

const SETUP_PREFIX = '/setup/';

const form = byId<HTMLFormElement>('signup-form');
const avatar = byId<HTMLInputElement>('avatar');
const inviteInput = byId<HTMLInputElement>('inviteCode');
previewPicture(avatar, byId<HTMLImageElement>('avatar-preview'));

const setupToken = window.location.pathname.startsWith(SETUP_PREFIX) ? window.location.pathname.slice(SETUP_PREFIX.length) : null;
const invite = new URLSearchParams(window.location.search).get('invite');
if (invite !== null) inviteInput.value = invite;
// Open sign-up needs no code; the setup link is the first admin's invitation.
byId('inviteCode-field').hidden = setupToken !== null || (form.dataset['signup'] === 'open' && invite === null);

onSubmit(form, async () => {
  const value = (id: string): string => byId<HTMLInputElement>(id).value;
  const code = inviteInput.value.trim();
  const body = {
    email: value('email'),
    password: value('password'),
    firstName: value('firstName'),
    lastName: value('lastName'),
    acceptPolicy: byId<HTMLInputElement>('acceptPolicy').checked,
  };
  if (setupToken !== null) await api('POST', '/api/auth/setup', { ...body, token: setupToken });
  else await api('POST', '/api/auth/signup', code === '' ? body : { ...body, inviteCode: code });
  const file = avatar.files?.[0];
  if (file !== undefined) {
    const upload = new FormData();
    upload.append('avatar', file);
    try {
      await api('PUT', '/api/me/avatar', upload);
    } catch (error) {
      // The account exists: say what is wrong with the picture and let the profile fix it.
      showError(form, error instanceof ApiError ? new ApiError(error.status, error.code, { avatar: error.code }) : error);
      window.setTimeout(() => window.location.assign('/profile'), 4000);
      return;
    }
  }
  window.location.assign('/profile');
});
