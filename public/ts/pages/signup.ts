// Sign-up: creates the account, then uploads the optional picture, then opens the calls page,
// where the member's link is. The same form creates the first admin on the setup page
// (/setup/<token>); an invitation link (/signup?invite=CODE) fills the invitation code in. A
// refused picture does not undo the account (nothing else about it is wrong): the form goes, and
// the page says the account exists, why the picture was refused and where to go next. Checking
// the picture first would need an upload before any account, which lets anyone make the server
// decode images.
import { api, ApiError } from '../lib/api.js';
import { byId, onSubmit, previewPicture } from '../lib/forms.js';
import { hasMessage, t } from '../lib/messages.js';

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
      const code = error instanceof ApiError ? error.code : 'generic';
      byId('picture-refused-reason').textContent = t(hasMessage(code) ? code : 'generic');
      form.hidden = true;
      // "Already have an account? Log in" no longer fits: they are logged in.
      for (const aside of document.querySelectorAll<HTMLElement>('.aside')) aside.hidden = true;
      const refused = byId('picture-refused');
      refused.hidden = false;
      refused.focus();
      return;
    }
  }
  window.location.assign('/calls');
});
