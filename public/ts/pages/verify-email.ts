// A verification link opened: one button confirms the address (a link preview or a mail
// scanner that only opens the page confirms nothing).
import { api } from '../lib/api.js';
import { byId, onSubmit } from '../lib/forms.js';
import { takeLinkToken } from '../lib/link-token.js';
import { t } from '../lib/messages.js';

const token = takeLinkToken();
const form = byId<HTMLFormElement>('verify-form');
onSubmit(form, async () => {
  await api('POST', '/api/auth/email-verification/confirm', { token });
  form.hidden = true;
  const done = byId('verify-done');
  done.textContent = t('emailVerified');
  done.hidden = false;
});
