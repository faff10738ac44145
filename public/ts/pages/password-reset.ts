// A reset link opened: choose the new password. Every session ends; the member then logs in.
import { api } from '../lib/api.js';
import { byId, onSubmit } from '../lib/forms.js';
import { takeLinkToken } from '../lib/link-token.js';
import { t } from '../lib/messages.js';

const token = takeLinkToken();
const form = byId<HTMLFormElement>('reset-form');
onSubmit(form, async () => {
  await api('POST', '/api/auth/password-reset/confirm', { token, password: byId<HTMLInputElement>('password').value });
  form.hidden = true;
  const done = byId('reset-done');
  done.textContent = t('passwordReset');
  done.hidden = false;
});
