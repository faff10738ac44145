// The e-mail that carries a staff reply to the person who wrote, in the language they wrote in:
// the reply itself, then where to read the conversation and answer (a member's support page)
// or how to write again (a prospect, who has no page). Plain text and a simple HTML part with
// the same words; nothing loaded from anywhere.
import { escapeHtml } from '../http/pages.js';
import { type MessageKey, translate } from '../i18n/index.js';
import type { Mail, Mailer } from '../mail/mailer.js';
import type { ReplyNotifier } from './support-service.js';
import type { ConversationRow } from './support-store.js';

export const MEMBER_SUPPORT_PATH = '/support';
export const CONTACT_PATH = '/contact';

export function composeReplyMail(conversation: ConversationRow, reply: string, publicOrigin: string): Mail {
  const { locale, subject, reference } = conversation;
  const values: Readonly<Record<string, string>> = { subject, reference };
  const say = (key: MessageKey): string => translate(locale, key).replace(/\{(\w+)\}/g, (slot, name: string) => values[name] ?? slot);
  const link = publicOrigin + (conversation.member ? MEMBER_SUPPORT_PATH : CONTACT_PATH);
  const next = say(conversation.member ? 'mail.support.member' : 'mail.support.prospect');
  const title = say('mail.support.subject');
  const text = [say('mail.greeting'), say('mail.support.intro'), reply, `${next}\n${link}`, say('mail.signature').replace('{publicOrigin}', publicOrigin)].join(
    '\n\n',
  );
  const html = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36em;">',
    `<p>${escapeHtml(say('mail.greeting'))}</p>`,
    `<p>${escapeHtml(say('mail.support.intro'))}</p>`,
    `<blockquote style="white-space: pre-wrap; margin: 0 0 1em; padding-left: 1em; border-left: 3px solid #999;">${escapeHtml(reply)}</blockquote>`,
    `<p>${escapeHtml(next)} <a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
    `<p>${escapeHtml(say('mail.signature').replace('{publicOrigin}', publicOrigin))}</p>`,
    '</body></html>',
  ].join('\n');
  return { to: conversation.email, subject: title, text, html };
}

/** Mails each staff reply in the background when e-mail is configured; otherwise the app is the only channel. */
export function mailReplies(deps: { mailer: Mailer; publicOrigin: string }): ReplyNotifier & { idle(): Promise<void> } {
  const pending = new Set<Promise<boolean>>();
  const notify = (conversation: ConversationRow, reply: string): void => {
    if (!deps.mailer.isConfigured) return;
    const sending = deps.mailer.send(composeReplyMail(conversation, reply, deps.publicOrigin), 'support_reply');
    pending.add(sending);
    void sending.finally(() => pending.delete(sending));
  };
  return Object.assign(notify, {
    async idle() {
      await Promise.all([...pending]);
    },
  });
}
