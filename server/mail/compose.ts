// The e-mails Porthello sends, in the reader's language: a plain-text part and a simple HTML
// part with the same words, one link, no image and nothing loaded from anywhere.
import { escapeHtml } from '../http/pages.js';
import { type Locale, type MessageKey, translate } from '../i18n/index.js';
import type { Mail } from './mailer.js';

/** What a link mail is about: its subject, its paragraphs, the link's label and a closing note. */
export type LinkMailWords = Readonly<{ subject: MessageKey; intro: MessageKey; action: MessageKey; ignore: MessageKey }>;

export function composeLinkMail(
  locale: Locale,
  words: LinkMailWords,
  to: string,
  values: Readonly<{ link: string; validity: string; publicOrigin: string }>,
): Mail {
  const say = (key: MessageKey): string =>
    translate(locale, key).replace(/\{(\w+)\}/g, (slot, name: string) => (values as Record<string, string>)[name] ?? slot);
  const paragraphs = [say('mail.greeting'), say(words.intro)];
  const after = [say(words.ignore), say('mail.signature')];
  const text = [...paragraphs, `${say(words.action)}\n${values.link}`, ...after].join('\n\n');
  const html = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(say(words.subject))}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36em;">',
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p><a href="${escapeHtml(values.link)}">${escapeHtml(say(words.action))}</a></p>`,
    `<p style="word-break: break-all; font-size: 0.9em;">${escapeHtml(values.link)}</p>`,
    ...after.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    '</body></html>',
  ].join('\n');
  return { to, subject: say(words.subject), text, html };
}
