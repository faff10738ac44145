// The calls page's first-visit explanation, shown until dismissed on this device. Kept in this
// browser, not on the server: the advice is about this device (keep the page open or install it
// here), so a new device deserves it once too, and the server keeps nothing more about the member
// (nothing to export or erase).
const WELCOME_DISMISSED_KEY = 'porthello.welcomeDismissed';

function storedFlag(): string | null {
  try {
    return window.localStorage.getItem(WELCOME_DISMISSED_KEY);
  } catch (problem) {
    // Storage blocked (private mode, policy): show the explanation, dismissible for this visit.
    console.warn('localStorage unavailable', problem);
    return null;
  }
}

/** Shows `panel` unless dismissed before; `dismiss` hides it for good, then `afterDismiss` runs. */
export function showWelcomeOnce(panel: HTMLElement, dismiss: HTMLElement, afterDismiss: () => void): void {
  panel.hidden = storedFlag() !== null;
  dismiss.addEventListener('click', () => {
    panel.hidden = true;
    try {
      window.localStorage.setItem(WELCOME_DISMISSED_KEY, '1');
    } catch (problem) {
      console.warn('localStorage unavailable', problem);
    }
    afterDismiss();
  });
}
