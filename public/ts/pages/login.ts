// Log-in: on success, the member's calls page (their link, the directory, the call log).
import { api } from '../lib/api.js';
import { byId, onSubmit } from '../lib/forms.js';

const form = byId<HTMLFormElement>('login-form');
onSubmit(form, async () => {
  await api('POST', '/api/auth/login', { email: byId<HTMLInputElement>('email').value, password: byId<HTMLInputElement>('password').value });
  window.location.assign('/calls');
});
