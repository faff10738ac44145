// The member's call link on /calls: the link itself, Copy and (where the system offers it) Share,
// its settings (guests allowed, relay only), and a new link in place of the old one.
import type { CallLinkView as CallLink } from '../../../server/contract/api.js';
import { api, ApiError } from './api.js';
import { byId } from './dom.js';
import { hasMessage, t } from './messages.js';

export type CallLinkPanel = {
  show(link: CallLink): void;
  /** Says why the link could not be read or changed. */
  problem(problem: unknown): void;
  focus(): void;
};

/** Wires the panel's controls on this page. */
export function callLinkPanel(): CallLinkPanel {
  const linkInput = byId<HTMLInputElement>('call-link');
  const guestsBox = byId<HTMLInputElement>('guests-allowed');
  const relayBox = byId<HTMLInputElement>('relay-only');
  const linkStatus = byId('link-status');
  const linkError = byId('link-error');

  function showLink(link: CallLink): void {
    linkInput.value = link.url ?? new URL(link.path ?? `/c/${link.code}`, window.location.origin).href;
    guestsBox.checked = link.guestsAllowed;
    relayBox.checked = link.relayOnly;
  }

  function linkProblem(problem: unknown): void {
    const code = problem instanceof ApiError ? problem.code : 'generic';
    linkError.textContent = t(hasMessage(code) ? code : 'generic');
    linkError.hidden = false;
  }

  function linkSaved(text: string): void {
    linkError.hidden = true;
    linkStatus.textContent = text;
  }

  // Share where the system offers it (phones mostly); Copy everywhere.
  const shareButton = byId<HTMLButtonElement>('link-share');
  shareButton.hidden = typeof navigator.share !== 'function';
  shareButton.addEventListener('click', () => {
    navigator.share({ title: t('calls.link.shareText'), url: linkInput.value }).catch((problem: unknown) => {
      // Closing the share sheet is no error; anything else falls back to Copy.
      if (!(problem instanceof DOMException && problem.name === 'AbortError')) byId('link-copy').click();
    });
  });

  byId('link-copy').addEventListener('click', () => {
    const copied = navigator.clipboard?.writeText(linkInput.value) ?? Promise.reject(new Error('no clipboard'));
    copied.then(
      () => linkSaved(t('calls.link.copied')),
      () => {
        // Without clipboard access the link is selected, ready for the system's own copy.
        linkInput.focus();
        linkInput.select();
        linkSaved(t('calls.link.copyFailed'));
      },
    );
  });

  for (const [box, field] of [
    [guestsBox, 'guestsAllowed'],
    [relayBox, 'relayOnly'],
  ] as const) {
    box.addEventListener('change', () => {
      box.disabled = true;
      api<CallLink>('PATCH', '/api/me/call-link', { [field]: box.checked })
        .then(
          (link) => {
            showLink(link);
            linkSaved(t('saved'));
          },
          (problem: unknown) => {
            box.checked = !box.checked;
            linkProblem(problem);
          },
        )
        .finally(() => (box.disabled = false));
    });
  }

  const regenerateDialog = byId<HTMLDialogElement>('regenerate-dialog');
  byId('link-regenerate').addEventListener('click', () => regenerateDialog.showModal());
  regenerateDialog.addEventListener('close', () => {
    if (regenerateDialog.returnValue !== 'confirm') return;
    api<CallLink>('POST', '/api/me/call-link').then((link) => {
      showLink(link);
      linkSaved(t('calls.link.renewed'));
      linkInput.focus();
    }, linkProblem);
  });

  return { show: showLink, problem: linkProblem, focus: () => linkInput.focus() };
}
