// The page's translated strings for scripts: the server renders them into a hidden list
// (#client-messages), in the page's language, so no string is hard-coded here.
import type { ClientMessageKey } from '../../../server/contract/messages.js';

export type { ClientMessageKey };

let cache: Map<string, string> | null = null;

function messages(): Map<string, string> {
  if (cache !== null) return cache;
  cache = new Map();
  for (const item of document.querySelectorAll<HTMLElement>('#client-messages [data-key]')) {
    cache.set(item.dataset['key'] ?? '', item.textContent ?? '');
  }
  return cache;
}

/** The string for `client.<key>`, with {name} placeholders filled; the generic message if unknown. */
export function t(key: ClientMessageKey, values: Record<string, string | number> = {}): string {
  const text = messages().get(`client.${key}`) ?? messages().get('client.generic') ?? key;
  return text.replace(/\{(\w+)\}/g, (all, name: string) => (name in values ? String(values[name]) : all));
}

/** Whether a key that arrived at run time (an error code from the server) has a translation. */
export function hasMessage(key: string): key is ClientMessageKey {
  return messages().has(`client.${key}`);
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
