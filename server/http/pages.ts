// Server-rendered pages from the templates in public/pages/. A template holds
//   {{t:key}}  a translated string (HTML-escaped),
//   {{name}}   a value passed by the route (HTML-escaped),
//   {{>name}}  the partial public/pages/partials/name.html (form fields several pages share),
// and the layout holds {{{content}}}, the page body. Templates are read once at start and
// checked: an unknown message key or partial fails start-up, not a visitor's request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DISPLAY_NAME_MAX_CODE_POINTS, MEMBER_NAME_MAX_CODE_POINTS } from '../contract/names.js';
import { PASSWORD_MIN_CODE_POINTS } from '../contract/passwords.js';
import { MAX_KNOCK_NOTE_CHARS } from '../signal/protocol.js';
import { fr } from '../i18n/fr.js';
import { THEME_COLOR } from './manifest.js';
import { isMessageKey, LOCALES, translate, type Locale, type MessageKey } from '../i18n/index.js';

export const PAGE_NAMES = [
  'home',
  'error',
  'signup',
  'login',
  'profile',
  'my-data',
  'privacy',
  'calls',
  'reach',
  'guest-call',
  'admin-accounts',
  'admin-invitations',
  'admin-news',
  'admin-stats',
  'news',
  'forgot-password',
  'password-reset',
  'verify-email',
  'contact',
  'support',
  'admin-support',
  'help',
  'self-test',
] as const;
export type PageName = (typeof PAGE_NAMES)[number];

export type PageOptions = {
  /** Key of the page title. */
  title: MessageKey;
  /** Name of the page's script bundle in /assets/js/, if it has one. */
  script?: string;
  vars?: Readonly<Record<string, string>>;
  /** Whether a member is logged in: the header then links to their profile instead of log-in. */
  signedIn?: boolean;
  /** Whether the member has staff pages: the header then links to them too. */
  staff?: boolean;
};

export type ErrorMessage = Readonly<{ heading: MessageKey; text: MessageKey }>;
const NOT_FOUND: ErrorMessage = { heading: 'error.notFound.title', text: 'error.notFound.text' };
const GENERIC_ERROR: ErrorMessage = { heading: 'error.generic.title', text: 'error.generic.text' };

export type PageRenderer = {
  render(name: PageName, locale: Locale, options: PageOptions): string;
  /** An error page; `message` replaces the status's own heading and text. */
  renderError(locale: Locale, status: number, signedIn?: boolean, message?: ErrorMessage): string;
};

/**
 * The limits the server applies, for the forms to check before sending and the hints to state:
 * `{{passwordMin}}` in a template, `{passwordMin}` in a translated string.
 */
const FORM_LIMITS: Readonly<Record<string, string>> = {
  memberNameMax: String(MEMBER_NAME_MAX_CODE_POINTS),
  displayNameMax: String(DISPLAY_NAME_MAX_CODE_POINTS),
  passwordMin: String(PASSWORD_MIN_CODE_POINTS),
  knockNoteMax: String(MAX_KNOCK_NOTE_CHARS),
};

const PARTIAL = /\{\{>\s*([\w-]+)\s*\}\}/g;
const PLACEHOLDER = /\{\{(\{)?\s*(t:)?([\w.]+)\s*\}?\}\}/g;

/**
 * `site` holds values every page and script message may use (the public origin, for the message
 * that tells someone who opened the pages under another address where to go).
 */
export function createPageRenderer(templatesDir: string, site: Readonly<{ publicOrigin?: string }> = {}): PageRenderer {
  const shared: Readonly<Record<string, string>> = { ...FORM_LIMITS, themeColor: THEME_COLOR, ...site };
  const readFile = (name: string): string => readFileSync(join(templatesDir, `${name}.html`), 'utf8');
  // Partials are not nested: a page includes them, a partial includes nothing.
  const read = (name: string): string => readFile(name).replace(PARTIAL, (_all, partial: string) => readFile(join('partials', partial)).trimEnd());
  const layout = read('layout');
  const templates = new Map<PageName, string>(PAGE_NAMES.map((name) => [name, read(name)]));
  for (const [name, text] of [['layout', layout], ...templates] as const) {
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (match[2] !== undefined && !isMessageKey(match[3] ?? '')) throw new Error(`page ${name} uses an unknown message key: ${match[3]}`);
    }
  }

  const fill = (template: string, locale: Locale, vars: Readonly<Record<string, string>>): string =>
    template.replace(PLACEHOLDER, (_all, raw: string | undefined, isMessage: string | undefined, key: string) => {
      // A translated string may hold {name} slots filled from the page's values (e.g. durations).
      const value =
        isMessage !== undefined ? translate(locale, key as MessageKey).replace(/\{(\w+)\}/g, (slot, name: string) => vars[name] ?? slot) : vars[key];
      if (value === undefined) throw new Error(`template value missing: ${key}`);
      return raw !== undefined ? value : escapeHtml(value);
    });

  const render = (name: PageName, locale: Locale, options: PageOptions): string => {
    const vars = { ...shared, ...options.vars };
    const content = fill(templates.get(name) ?? '', locale, vars);
    const script = options.script === undefined ? '' : `<script type="module" src="/assets/js/${escapeHtml(options.script)}.js"></script>`;
    return fill(layout, locale, {
      ...vars,
      lang: locale,
      title: translate(locale, options.title),
      script,
      content,
      ...languageLinks(locale),
      accountLinks: accountLinks(locale, options.signedIn === true, options.staff === true),
      clientMessages: options.script === undefined ? '' : clientMessages(locale, shared),
    });
  };

  return {
    render,
    renderError(locale, status, signedIn = false, message = status === 404 ? NOT_FOUND : GENERIC_ERROR) {
      return render('error', locale, {
        signedIn,
        title: message.heading,
        vars: { status: String(status), heading: translate(locale, message.heading), text: translate(locale, message.text) },
      });
    },
  };
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

/** The account links of the header: log in and sign up, or the member's pages. */
function accountLinks(locale: Locale, signedIn: boolean, staff: boolean): string {
  const links: [string, MessageKey][] = signedIn
    ? [
        ['/calls', 'nav.calls'],
        ['/news', 'news.nav'],
        ['/profile', 'nav.profile'],
        ['/my-data', 'nav.myData'],
        ['/support', 'nav.support'],
        ...(staff ? [['/admin', 'admin.nav'] as [string, MessageKey]] : []),
      ]
    : [
        ['/login', 'nav.login'],
        ['/signup', 'nav.signup'],
      ];
  return links.map(([href, key]) => `<a href="${href}">${escapeHtml(translate(locale, key))}</a>`).join('');
}

/**
 * The strings page scripts show (error reasons, confirmations), as a hidden list read by
 * public/ts/lib/messages.ts: scripts stay static files under the strict CSP.
 */
function clientMessages(locale: Locale, shared: Readonly<Record<string, string>>): string {
  const fillShared = (text: string) => text.replace(/\{(\w+)\}/g, (slot, name: string) => shared[name] ?? slot);
  const items = CLIENT_MESSAGE_KEYS.map((key) => `<li data-key="${key}">${escapeHtml(fillShared(translate(locale, key)))}</li>`).join('');
  return `<ul id="client-messages" hidden>${items}</ul>`;
}

const CLIENT_MESSAGE_KEYS = (Object.keys(fr) as MessageKey[]).filter((key) => key.startsWith('client.'));

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
