// Sign-up: creates the account, then uploads the optional picture, then opens the profile.
import { api, ApiError } from '../lib/api.js';
import { byId, onSubmit, previewPicture, showError } from '../lib/forms.js';

const form = byId<HTMLFormElement>('signup-form');
const avatar = byId<HTMLInputElement>('avatar');
previewPicture(avatar, byId<HTMLImageElement>('avatar-preview'));

onSubmit(form, async () => {
  const value = (id: string): string => byId<HTMLInputElement>(id).value;
  await api('POST', '/api/auth/signup', {
    email: value('email'),
    password: value('password'),
    firstName: value('firstName'),
    lastName: value('lastName'),
    acceptPolicy: byId<HTMLInputElement>('acceptPolicy').checked,
  });
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
