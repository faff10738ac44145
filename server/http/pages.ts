// Server-rendered pages from the templates in public/pages/. A template holds
//   {{t:key}}  a translated string (HTML-escaped),
//   {{name}}   a value passed by the route (HTML-escaped),
// and the layout holds {{{content}}}, the page body. Templates are read once at start and
// checked: an unknown message key fails start-up, not a visitor's request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMessageKey, LOCALES, MESSAGE_KEYS, translate, type Locale, type MessageKey } from '../i18n/index.js';

export const PAGE_NAMES = ['home', 'error'] as const;
export type PageName = (typeof PAGE_NAMES)[number];

export type PageOptions = {
  /** Key of the page title. */
  title: MessageKey;
  /** Name of the page's script bundle in /assets/js/, if it has one. */
  script?: string;
  vars?: Readonly<Record<string, string>>;
  /** Prefixes of the message keys the page's script needs ("call." for every call string). */
  clientStrings?: readonly string[];
};

export type PageRenderer = {
  render(name: PageName, locale: Locale, options: PageOptions): string;
  renderError(locale: Locale, status: number): string;
};

const PLACEHOLDER = /\{\{(\{)?\s*(t:)?([\w.]+)\s*\}?\}\}/g;

export function createPageRenderer(templatesDir: string): PageRenderer {
  const read = (name: string): string => readFileSync(join(templatesDir, `${name}.html`), 'utf8');
  const layout = read('layout');
  const templates = new Map<PageName, string>(PAGE_NAMES.map((name) => [name, read(name)]));
  for (const [name, text] of [['layout', layout], ...templates] as const) {
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (match[2] !== undefined && !isMessageKey(match[3] ?? '')) throw new Error(`page ${name} uses an unknown message key: ${match[3]}`);
    }
  }

  const fill = (template: string, locale: Locale, vars: Readonly<Record<string, string>>): string =>
    template.replace(PLACEHOLDER, (_all, raw: string | undefined, isMessage: string | undefined, key: string) => {
      const value = isMessage !== undefined ? translate(locale, key as MessageKey) : vars[key];
      if (value === undefined) throw new Error(`template value missing: ${key}`);
      return raw !== undefined ? value : escapeHtml(value);
    });

  const render = (name: PageName, locale: Locale, options: PageOptions): string => {
    const vars = options.vars ?? {};
    const content = fill(templates.get(name) ?? '', locale, vars);
    const script =
      (options.script === undefined ? '' : `<script type="module" src="/assets/js/${escapeHtml(options.script)}.js"></script>`) +
      clientStringsBlock(locale, options.clientStrings ?? []);
    return fill(layout, locale, {
      ...vars,
      lang: locale,
      title: translate(locale, options.title),
      script,
      content,
      ...languageLinks(locale),
    });
  };

  return {
    render,
    renderError(locale, status) {
      const notFound = status === 404;
      return render('error', locale, {
        title: notFound ? 'error.notFound.title' : 'error.generic.title',
        vars: {
          status: String(status),
          heading: translate(locale, notFound ? 'error.notFound.title' : 'error.generic.title'),
          text: translate(locale, notFound ? 'error.notFound.text' : 'error.generic.text'),
        },
      });
    },
  };
}

/**
 * The strings a page's script needs, as JSON in a data block (not executed, so the CSP allows
 * it). "<" is escaped so no text can close the element early.
 */
function clientStringsBlock(locale: Locale, prefixes: readonly string[]): string {
  if (prefixes.length === 0) return '';
  const strings: Record<string, string> = {};
  for (const key of MESSAGE_KEYS) {
    if (prefixes.some((prefix) => key.startsWith(prefix))) strings[key] = translate(locale, key);
  }
  return `<script type="application/json" id="strings">${JSON.stringify(strings).replace(/</g, '\\u003c')}</script>`;
}

const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { fr: 'Français', en: 'English' };

/** The language switch: plain links, so it works without any script. */
function languageLinks(current: Locale): Record<string, string> {
  const links = LOCALES.map((locale) => {
    const currentMark = locale === current ? ' aria-current="true"' : '';
    return `<a href="?lang=${locale}" hreflang="${locale}" lang="${locale}"${currentMark}>${LANGUAGE_NAMES[locale]}</a>`;
  });
  return { languages: links.join('') };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
