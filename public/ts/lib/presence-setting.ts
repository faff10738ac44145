// The profile's presence switch: whether other members see in the directory when this member can
// be called (the calls page open). Off by default; saved as one of the call settings.
import type { CallLinkView, MeView } from '../../../server/contract/api.js';
import { api, ApiError } from './api.js';
import { byId } from './dom.js';
import { hasMessage, t } from './messages.js';

export function setUpPresenceSetting(): void {
  const box = byId<HTMLInputElement>('show-presence');
  const status = byId('presence-status');
  const error = byId('presence-error');
  const problem = (reason: unknown): void => {
    const code = reason instanceof ApiError ? reason.code : 'generic';
    error.textContent = t(hasMessage(code) ? code : 'generic');
    error.hidden = false;
  };
  api<MeView>('GET', '/api/me').then((me) => {
    box.checked = me.callLink.showPresence;
    box.disabled = false;
  }, problem);
  box.addEventListener('change', () => {
    box.disabled = true;
    error.hidden = true;
    status.textContent = '';
    api<CallLinkView>('PATCH', '/api/me/call-link', { showPresence: box.checked })
      .then(
        (link) => {
          box.checked = link.showPresence;
          status.textContent = t('saved');
        },
        (reason: unknown) => {
          box.checked = !box.checked;
          problem(reason);
        },
      )
      .finally(() => (box.disabled = false));
  });
}
