// Forgotten password: asks for a reset link. The answer is the same whether an account uses
// the address or not, so the page says "if an account uses it".
import { api } from '../lib/api.js';
import { byId, onSubmit, showStatus } from '../lib/forms.js';
import { t } from '../lib/messages.js';

const form = byId<HTMLFormElement>('forgot-form');
onSubmit(form, async () => {
  await api('POST', '/api/auth/password-reset', { email: byId<HTMLInputElement>('email').value });
  showStatus(form, t('resetSent', { resetValidity: form.dataset['validity'] ?? '' }));
});
