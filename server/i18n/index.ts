// The language mechanism every page shares: French and English strings, chosen from the
// user's explicit choice (the `lang` query parameter, remembered in a cookie), then
// Accept-Language; French when nothing matches.
import { en } from './en.js';
import { fr, type MessageKey } from './fr.js';

export type { MessageKey } from './fr.js';
export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'fr';
export const LOCALE_COOKIE = 'lang';

const CATALOGUES: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { fr, en };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function translate(locale: Locale, key: MessageKey): string {
  return CATALOGUES[locale][key];
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(fr, key);
}

/** Picks the locale: explicit choice, then cookie, then the best Accept-Language match, then French. */
export function pickLocale(choice: { query?: unknown; cookie?: unknown; acceptLanguage?: string | undefined }): Locale {
  if (isLocale(choice.query)) return choice.query;
  if (isLocale(choice.cookie)) return choice.cookie;
  return fromAcceptLanguage(choice.acceptLanguage ?? '') ?? DEFAULT_LOCALE;
}

/** Bounds the work done on a header a client controls. */
const MAX_ACCEPT_LANGUAGE_ENTRIES = 20;

function fromAcceptLanguage(header: string): Locale | null {
  const ranked = header
    .split(',')
    .slice(0, MAX_ACCEPT_LANGUAGE_ENTRIES)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=(.*)$/.exec(p)?.[1]?.trim()).find((v) => v !== undefined);
      const weight = q === undefined ? 1 : q === '' ? 0 : Number(q);
      return { language: tag.trim().toLowerCase().split('-')[0] ?? '', weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked.map((entry) => entry.language).find(isLocale) ?? null;
}
