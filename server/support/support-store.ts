// SQL for the support inbox: conversations and their messages. Message bodies only pass through
// here and the service; nothing in this folder logs them.
import type { Database } from 'better-sqlite3';
import type { SupportInboxEntry, SupportMessageView, SupportState } from '../contract/support.js';
import type { Locale } from '../i18n/index.js';

export type ConversationRow = SupportInboxEntry & Readonly<{ memberId: string | null; locale: Locale }>;

export type NewConversation = Readonly<{
  id: string;
  memberId: string | null;
  email: string;
  name: string;
  locale: Locale;
  subject: string;
  body: string;
  at: string;
}>;

export type NewMessage = Readonly<{
  conversationId: string;
  author: 'requester' | 'staff';
  staffId: string | null;
  body: string;
  at: string;
  state: SupportState;
}>;

const CONVERSATION_COLUMNS = `c.id AS reference, c.member_id AS memberId, c.email, c.name, c.locale, c.subject, c.state,
  c.created_at AS createdAt, c.updated_at AS updatedAt,
  (SELECT count(*) FROM support_messages m WHERE m.conversation_id = c.id) AS messages`;

type RawConversation = Omit<ConversationRow, 'member'>;
const withMember = (row: RawConversation): ConversationRow => ({ ...row, member: row.memberId !== null });

export type SupportStore = ReturnType<typeof createSupportStore>;

export function createSupportStore(db: Database) {
  const insertConversation = db.prepare(`INSERT INTO support_conversations (id, member_id, email, name, locale, subject, state, created_at, updated_at)
    VALUES (@id, @memberId, @email, @name, @locale, @subject, 'open', @at, @at)`);
  const insertMessage = db.prepare(`INSERT INTO support_messages (conversation_id, member_id, author, staff_id, body, created_at)
    VALUES (@conversationId, (SELECT member_id FROM support_conversations WHERE id = @conversationId), @author, @staffId, @body, @at)`);
  const touch = db.prepare('UPDATE support_conversations SET state = @state, updated_at = @at WHERE id = @conversationId');
  const setState = db.prepare('UPDATE support_conversations SET state = ? WHERE id = ?');
  const byId = db.prepare(`SELECT ${CONVERSATION_COLUMNS} FROM support_conversations c WHERE c.id = ?`);
  // Keyset pages: after (updated_at, id) of the previous page's last row, in the same order.
  const inbox = db.prepare(`SELECT ${CONVERSATION_COLUMNS} FROM support_conversations c
    WHERE (@state IS NULL OR c.state = @state)
      AND (@afterAt IS NULL OR c.updated_at < @afterAt OR (c.updated_at = @afterAt AND c.id > @afterId))
    ORDER BY c.updated_at DESC, c.id LIMIT @limit`);
  const ofMember = db.prepare(`SELECT ${CONVERSATION_COLUMNS} FROM support_conversations c
    WHERE c.member_id = ? ORDER BY c.updated_at DESC, c.id LIMIT ?`);
  const messages = db.prepare(`SELECT m.id, m.author, CASE WHEN u.id IS NULL THEN NULL ELSE u.first_name || ' ' || u.last_name END AS staffName,
    m.body, m.created_at AS createdAt
    FROM support_messages m LEFT JOIN users u ON u.id = m.staff_id WHERE m.conversation_id = ? ORDER BY m.id`);
  const messageCount = db.prepare('SELECT count(*) FROM support_messages WHERE conversation_id = ?').pluck();
  // Messages go with their conversation (ON DELETE CASCADE).
  const purgeProspects = db.prepare('DELETE FROM support_conversations WHERE member_id IS NULL AND updated_at < ?');

  return {
    /** A new conversation and its first message, in one transaction. */
    create: db.transaction((conversation: NewConversation): void => {
      const { id, memberId, email, name, locale, subject, at } = conversation;
      insertConversation.run({ id, memberId, email, name, locale, subject, at });
      insertMessage.run({ conversationId: conversation.id, author: 'requester', staffId: null, body: conversation.body, at: conversation.at });
    }),
    /** Adds a message and sets the conversation's state and last activity, in one transaction. */
    addMessage: db.transaction((message: NewMessage): void => {
      const { conversationId, author, staffId, body, at, state } = message;
      insertMessage.run({ conversationId, author, staffId, body, at });
      touch.run({ conversationId, state, at });
    }),
    setState(id: string, state: SupportState): void {
      setState.run(state, id);
    },
    byId(id: string): ConversationRow | undefined {
      const row = byId.get(id) as RawConversation | undefined;
      return row === undefined ? undefined : withMember(row);
    },
    /** The newest conversations first, of one state or all (null), after a page's last one, at most `limit`. */
    inbox: (state: SupportState | null, after: Readonly<{ updatedAt: string; reference: string }> | null, limit: number): ConversationRow[] =>
      (inbox.all({ state, afterAt: after?.updatedAt ?? null, afterId: after?.reference ?? null, limit }) as RawConversation[]).map(withMember),
    ofMember: (memberId: string, limit: number): ConversationRow[] => (ofMember.all(memberId, limit) as RawConversation[]).map(withMember),
    messages: (id: string): SupportMessageView[] => messages.all(id) as SupportMessageView[],
    messageCount: (id: string): number => messageCount.get(id) as number,
    /** Erases prospects' conversations whose last message is older than `before`; returns how many. */
    purgeProspectsBefore: (before: string): number => purgeProspects.run(before).changes,
  };
}
