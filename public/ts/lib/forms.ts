// Shared form behaviour: show the server's field reasons next to their fields (linked by
// aria-describedby and aria-invalid), a form-level alert, and a busy state while a request runs.
import { ApiError } from './api.js';
import { hasMessage, t } from './messages.js';

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  return element as T;
}

export function clearErrors(form: HTMLFormElement): void {
  for (const element of form.querySelectorAll<HTMLElement>('.field-error, .form-error')) {
    element.hidden = true;
    element.textContent = '';
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const status = form.querySelector<HTMLElement>('.form-status');
  if (status !== null) status.textContent = '';
}

/** Shows an error: per field when the server named fields, else as the form's alert. */
export function showError(form: HTMLFormElement, error: unknown, fieldIds: Record<string, string> = {}): void {
  const problem = error instanceof ApiError ? error : new ApiError(0, 'generic');
  let first: HTMLElement | null = null;
  for (const [field, reason] of Object.entries(problem.fields)) {
    const id = fieldIds[field] ?? field;
    const message = document.getElementById(`${id}-error`);
    const input = document.getElementById(id);
    if (message === null || input === null) continue;
    message.textContent = t(hasMessage(reason) ? reason : 'generic');
    message.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    first ??= input;
  }
  if (first !== null) {
    first.focus();
    return;
  }
  const alert = form.querySelector<HTMLElement>('.form-error');
  if (alert === null) return;
  const code = hasMessage(problem.code) ? problem.code : 'generic';
  alert.textContent = t(code, { seconds: problem.retryAfterS ?? '' });
  alert.hidden = false;
}

export function showStatus(form: HTMLFormElement, text: string): void {
  const status = form.querySelector<HTMLElement>('.form-status');
  if (status !== null) status.textContent = text;
}

/** Runs the submit handler with the submit button disabled; errors are shown in the form. */
export function onSubmit(form: HTMLFormElement, handler: () => Promise<void>, fieldIds: Record<string, string> = {}): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    const buttons = form.querySelectorAll<HTMLButtonElement>('button');
    for (const button of buttons) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    handler()
      .catch((error: unknown) => showError(form, error, fieldIds))
      .finally(() => {
        for (const button of buttons) button.disabled = false;
        form.removeAttribute('aria-busy');
      });
  });
}

/** Shows a local preview of a chosen picture before it is uploaded. */
export function previewPicture(input: HTMLInputElement, image: HTMLImageElement, onChange: () => void = () => {}): void {
  let url: string | null = null;
  input.addEventListener('change', () => {
    if (url !== null) URL.revokeObjectURL(url);
    const file = input.files?.[0];
    url = file === undefined ? null : URL.createObjectURL(file);
    if (url !== null) image.src = url;
    image.hidden = url === null;
    onChange();
  });
}
