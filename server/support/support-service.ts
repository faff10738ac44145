// The support inbox's rules. Anyone may write through the contact form (a prospect, or a member
// whose conversation is then bound to their account); support and admin read every
// conversation, reply and close; a member reads and answers their own. Staff replies are
// e-mailed to the person when e-mail is configured. Roles are checked here, not in the routes.
import { randomInt } from 'node:crypto';
import type { Clock } from '../accounts/clock.js';
import { addressBlock } from '../client-address.js';
import { createWindowLimit } from '../accounts/window-limit.js';
import type {
  SupportConversationList,
  SupportConversationSummary,
  SupportConversationView,
  SupportInbox,
  SupportInboxEntry,
  SupportMessageSent,
  SupportState,
} from '../contract/support.js';
import { AppError, conflict, notFound, rateLimited } from '../errors.js';
import type { Locale } from '../i18n/index.js';
import type { Actor } from '../staff/actor.js';
import { canAnswerSupport, requireCapability } from '../staff/roles.js';
import { type ContactMessage, type InboxCursor, inboxCursorOf, REFERENCE_ALPHABET, REFERENCE_GROUP_LENGTH, REFERENCE_PATTERN } from './support-rules.js';
import type { ConversationRow, SupportStore } from './support-store.js';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

export type SupportLimits = Readonly<{
  /** New conversations per client address (IPv6 by /64) per hour: a person writing, not a script. */
  perAddressPerHour: number;
  /** New conversations per e-mail address per hour, whoever sends them: nobody floods the inbox in another's name. */
  perEmailPerHour: number;
  /** New conversations in total per hour: bounds what a spread-out flood can add to the database. */
  totalPerHour: number;
  /** A member's answers per hour, across their conversations. */
  repliesPerMemberPerHour: number;
}>;

export const DEFAULT_SUPPORT_LIMITS: SupportLimits = Object.freeze({
  perAddressPerHour: 5,
  perEmailPerHour: 3,
  totalPerHour: 200,
  repliesPerMemberPerHour: 30,
});

/** A conversation past this many messages is better started afresh; it also bounds one conversation's size. */
export const SUPPORT_MESSAGES_PER_CONVERSATION_MAX = 200;
/** The inbox shows this many conversations at a time, newest activity first; a state filter narrows it. */
export const SUPPORT_INBOX_PAGE_SIZE = 100;
/** A member's own list: far more than anyone writes. */
const MEMBER_CONVERSATIONS_LISTED = 100;
/** Bounds the memory of the limits under a flood of distinct addresses. */
const MAX_LIMIT_KEYS = 50_000;

/** A clash among 6.6e11 is already unlikely; several in a row means something else is wrong. */
const REFERENCE_ATTEMPTS = 5;

export function newReference(): string {
  const group = (): string => Array.from({ length: REFERENCE_GROUP_LENGTH }, () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)]).join('');
  return `${group()}-${group()}`;
}

/** Someone writing through the contact form: where from, whether logged in, in which language. */
export type Sender = Readonly<{ address: string; memberId: string | null; locale: Locale }>;

/** Tells the person a staff reply arrived (by e-mail, when configured). */
export type ReplyNotifier = (conversation: ConversationRow, reply: string) => void;

export type SupportService = ReturnType<typeof createSupportService>;

export function createSupportService(deps: {
  store: SupportStore;
  clock: Pick<Clock, 'now'>;
  retentionDays: number;
  notifyReply: ReplyNotifier;
  limits?: Partial<SupportLimits>;
}) {
  const { store, clock, notifyReply } = deps;
  const limits = { ...DEFAULT_SUPPORT_LIMITS, ...deps.limits };
  const windowOf = (perWindow: number) => createWindowLimit({ perWindow, windowMs: HOUR_MS, maxKeys: MAX_LIMIT_KEYS }, clock);
  const perAddress = windowOf(limits.perAddressPerHour);
  const perEmail = windowOf(limits.perEmailPerHour);
  const total = windowOf(limits.totalPerHour);
  const repliesPerMember = windowOf(limits.repliesPerMemberPerHour);
  const iso = (): string => new Date(clock.now()).toISOString();

  const admit = (waitMs: number, message: string): void => {
    if (waitMs > 0) throw rateLimited('too_many_messages', message, Math.ceil(waitMs / 1000));
  };
  const conversationOf = (reference: string): ConversationRow => {
    const row = REFERENCE_PATTERN.test(reference) ? store.byId(reference) : undefined;
    if (row === undefined) throw notFound('No such conversation.');
    return row;
  };
  /** A member's own conversation; another's answers 404 like one that does not exist. */
  const ownConversation = (memberId: string, reference: string): ConversationRow => {
    const row = conversationOf(reference);
    if (row.memberId !== memberId) throw notFound('No such conversation.');
    return row;
  };
  const summary = (row: ConversationRow): SupportConversationSummary => ({
    reference: row.reference,
    subject: row.subject,
    state: row.state,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    messages: row.messages,
  });
  const entry = (row: ConversationRow): SupportInboxEntry => ({ ...summary(row), name: row.name, email: row.email, member: row.member });
  const addMessage = (row: ConversationRow, author: 'requester' | 'staff', staffId: string | null, body: string, state: SupportState): void => {
    if (store.messageCount(row.reference) >= SUPPORT_MESSAGES_PER_CONVERSATION_MAX)
      throw conflict('conversation_full', 'This conversation is full: start a new one from the contact page.');
    store.addMessage({ conversationId: row.reference, author, staffId, body, at: iso(), state });
  };

  const read = (actor: Actor, reference: string): SupportConversationView => {
    requireCapability(canAnswerSupport, actor.role);
    const row = conversationOf(reference);
    return { conversation: entry(row), messages: store.messages(row.reference) };
  };
  /** A member's own conversation; staff names stay out of it ("support" answered). */
  const readMine = (memberId: string, reference: string): SupportConversationView => {
    const row = ownConversation(memberId, reference);
    return { conversation: entry(row), messages: store.messages(row.reference).map((message) => ({ ...message, staffName: null })) };
  };

  return {
    /**
     * A message from the contact form: a new conversation, and its reference. A filled honeypot
     * gets the same answer and nothing is kept or sent.
     */
    submit(input: ContactMessage, sender: Sender): SupportMessageSent {
      admit(perAddress.take(addressBlock(sender.address)), 'Too many messages from your network; try again later.');
      admit(perEmail.take(input.email), 'Too many messages from this e-mail address; try again later.');
      admit(total.take(''), 'Support receives too many messages right now; try again later.');
      if (input.website === true) return { reference: newReference() };
      for (let attempt = 1; ; attempt += 1) {
        const reference = newReference();
        if (store.byId(reference) !== undefined) {
          if (attempt >= REFERENCE_ATTEMPTS) throw new AppError('internal', 'internal', 'No free support reference was found.');
          continue;
        }
        store.create({
          id: reference,
          memberId: sender.memberId,
          email: input.email,
          name: input.name,
          locale: sender.locale,
          subject: input.subject,
          body: input.message,
          at: iso(),
        });
        return { reference };
      }
    },

    /** A page of the inbox, newest activity first; `after` (a page's `next`) continues past that page. */
    inbox(actor: Actor, state: SupportState | null, after: InboxCursor | null = null): SupportInbox {
      requireCapability(canAnswerSupport, actor.role);
      const rows = store.inbox(state, after, SUPPORT_INBOX_PAGE_SIZE + 1);
      const page = rows.slice(0, SUPPORT_INBOX_PAGE_SIZE);
      const last = page.at(-1);
      return { conversations: page.map(entry), next: rows.length > SUPPORT_INBOX_PAGE_SIZE && last !== undefined ? inboxCursorOf(last) : null };
    },

    read,

    /** A staff reply: the conversation is then `answered` (a closed one too), and the person is told. */
    reply(actor: Actor, reference: string, body: string): SupportConversationView {
      requireCapability(canAnswerSupport, actor.role);
      const row = conversationOf(reference);
      addMessage(row, 'staff', actor.id, body, 'answered');
      notifyReply(row, body);
      return read(actor, reference);
    },

    close(actor: Actor, reference: string): SupportConversationView {
      requireCapability(canAnswerSupport, actor.role);
      store.setState(conversationOf(reference).reference, 'closed');
      return read(actor, reference);
    },

    mine(memberId: string): SupportConversationList {
      return { conversations: store.ofMember(memberId, MEMBER_CONVERSATIONS_LISTED).map(summary) };
    },

    readMine,

    /** A member's answer: the conversation is `open` again, waiting for support (a closed one too). */
    replyMine(memberId: string, reference: string, body: string): SupportConversationView {
      const row = ownConversation(memberId, reference);
      admit(repliesPerMember.take(memberId), 'Too many messages; try again later.');
      addMessage(row, 'requester', null, body, 'open');
      return readMine(memberId, reference);
    },

    /** Erases prospects' conversations whose last message is older than the retention period; returns how many. */
    purge(): number {
      return store.purgeProspectsBefore(new Date(clock.now() - deps.retentionDays * DAY_MS).toISOString());
    },
  };
}
