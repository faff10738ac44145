// The contact page: sends the message and shows the reference to quote. The honeypot field is
// sent as it is (empty for people); the server drops a message whose honeypot is filled.
import type { SupportMessageSent } from '../../../server/contract/support.js';
import { api } from '../lib/api.js';
import { byId, onSubmit } from '../lib/forms.js';
import { t } from '../lib/messages.js';

const form = byId<HTMLFormElement>('contact-form');
const field = (id: string): HTMLInputElement | HTMLTextAreaElement => byId<HTMLInputElement | HTMLTextAreaElement>(id);

onSubmit(form, async () => {
  const { reference } = await api<SupportMessageSent>('POST', '/api/support/messages', {
    email: field('email').value,
    name: field('name').value,
    subject: field('subject').value,
    message: field('message').value,
    website: field('website').value,
  });
  byId('sent-text').textContent = t('support.sent', { reference });
  byId('sent-reference').textContent = reference;
  const sent = byId('sent');
  sent.hidden = false;
  sent.focus();
  // The address and name stay for a next message; this one is sent.
  field('subject').value = '';
  field('message').value = '';
});
