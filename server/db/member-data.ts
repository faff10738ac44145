// The one list of tables that hold a member's data. The export (GDPR access and portability)
// and the account deletion both walk it, so they cannot drift apart; test/db/member-data.test.ts
// fails when a table referencing users(id) is missing here, or when a column is neither exported
// nor withheld with a reason.
//
// To add a table (call log, support messages, preferences…): append an entry below. Identifiers
// here are our own constants, never user input, so building SQL from them is safe.
import type { Database, Statement } from 'better-sqlite3';
import { erasureRecorder } from './erasures.js';

export type MemberDataTable = Readonly<{
  table: string;
  /** Key of this table's rows in the export. */
  exportKey: string;
  /** Column holding the member's id (users.id). */
  memberColumn: string;
  /**
   * 'delete': the rows go with the member. 'anonymise': the rows belong to someone else too (a
   * call in another member's log): the member column is set to NULL and the row stays.
   */
  onDelete: 'delete' | 'anonymise';
  /** Columns copied into the export; none: the rows are erased with the member but never exported. */
  exported: readonly string[];
  /** Columns kept out of the export, each with the reason. */
  withheld: Readonly<Record<string, string>>;
}>;

export const MEMBER_DATA_TABLES: readonly MemberDataTable[] = [
  {
    table: 'users',
    exportKey: 'profile',
    memberColumn: 'id',
    onDelete: 'delete',
    exported: ['id', 'email', 'first_name', 'last_name', 'created_at', 'updated_at', 'role', 'disabled_at', 'email_status', 'news_emails'],
    withheld: {
      password_hash: 'a secret derived from the password; useless to the member and risky to hand out',
      avatar_id: 'the picture itself is embedded in the export under "picture"',
    },
  },
  {
    table: 'consents',
    exportKey: 'consents',
    memberColumn: 'user_id',
    onDelete: 'delete',
    exported: ['document', 'version', 'accepted_at'],
    withheld: { id: 'internal row number', user_id: 'the member id, already in the profile' },
  },
  {
    table: 'sessions',
    exportKey: 'sessions',
    memberColumn: 'user_id',
    onDelete: 'delete',
    exported: ['id', 'device', 'created_at', 'last_used_at'],
    withheld: { token_hash: 'a secret that identifies the browser’s cookie', user_id: 'the member id, already in the profile' },
  },
  {
    // Links sent by e-mail (password reset, address verification) that are not used yet.
    table: 'email_links',
    exportKey: 'emailLinks',
    memberColumn: 'user_id',
    onDelete: 'delete',
    exported: ['purpose', 'created_at', 'expires_at'],
    withheld: { token_hash: 'a secret that would let whoever holds it use the link', user_id: 'the member id, already in the profile' },
  },
  {
    table: 'call_links',
    exportKey: 'callLink',
    memberColumn: 'user_id',
    onDelete: 'delete',
    exported: ['code', 'guests_allowed', 'relay_only', 'show_presence', 'updated_at'],
    withheld: { user_id: 'the member id, already in the profile' },
  },
  {
    // The member's own call log: calls received and made.
    table: 'call_log',
    exportKey: 'callLog',
    memberColumn: 'member_id',
    onDelete: 'delete',
    exported: ['direction', 'started_at', 'outcome', 'duration_s', 'path', 'peer_kind', 'peer_guest_name', 'seen', 'attempts'],
    withheld: {
      id: 'internal row number',
      member_id: 'the member id, already in the profile',
      peer_id: 'the identifier of another member',
    },
  },
  {
    // Calls with this member stay in the other members' logs, without them (a "former member").
    table: 'call_log',
    exportKey: 'inOtherMembersLogs',
    memberColumn: 'peer_id',
    onDelete: 'anonymise',
    exported: ['direction', 'started_at', 'outcome', 'duration_s', 'path', 'attempts'],
    withheld: {
      id: 'internal row number',
      member_id: 'the identifier of another member',
      peer_id: 'the member id, already in the profile',
      peer_kind: 'always "member" for these rows',
      peer_guest_name: 'empty for calls with a member',
      seen: 'whether the other member has looked at their log',
    },
  },
  {
    // Do-not-disturb (switched on now, and the weekly schedule in the member's time zone) and
    // whether guests knock first.
    table: 'reach_settings',
    exportKey: 'doNotDisturb',
    memberColumn: 'user_id',
    onDelete: 'delete',
    exported: ['dnd_now', 'schedule_days', 'schedule_start_min', 'schedule_end_min', 'time_zone', 'knock_first', 'updated_at'],
    withheld: { user_id: 'the member id, already in the profile' },
  },
  {
    // The members and guests this member blocked.
    table: 'blocks',
    exportKey: 'blocked',
    memberColumn: 'user_id',
    onDelete: 'delete',
    exported: ['kind', 'guest_name', 'link_code', 'created_at'],
    withheld: {
      id: 'internal row number',
      user_id: 'the member id, already in the profile',
      blocked_member_id: 'the identifier of another member',
      guest_id: 'a random identifier of a guest’s browser session, meaningless outside the service',
    },
  },
  {
    // Blocks other members set on this member go with this member's account, and are never
    // exported to them: a blocked member learns no more than "unavailable" (issue 16).
    table: 'blocks',
    exportKey: 'blockedBy',
    memberColumn: 'blocked_member_id',
    onDelete: 'delete',
    exported: [],
    withheld: {
      id: 'internal row number',
      user_id: 'the identifier of the member who blocked them, which they are not told',
      kind: 'always "member" for these rows',
      blocked_member_id: 'the member id, already in the profile',
      guest_id: 'empty for a blocked member',
      guest_name: 'empty for a blocked member',
      link_code: 'empty for a blocked member',
      created_at: 'would tell them that someone blocked them',
    },
  },
  {
    // Invitations an admin created stay (they may still be pending), without their creator.
    table: 'invitations',
    exportKey: 'invitationsCreated',
    memberColumn: 'created_by',
    onDelete: 'anonymise',
    exported: ['id', 'email', 'bound', 'max_uses', 'uses', 'expires_at', 'revoked_at', 'created_at'],
    withheld: {
      code_hash: 'a secret derived from the invitation code',
      created_by: 'the member id, already in the profile',
    },
  },
  {
    // Conversations the member started with support (contact form while logged in).
    table: 'support_conversations',
    exportKey: 'supportConversations',
    memberColumn: 'member_id',
    onDelete: 'delete',
    exported: ['id', 'email', 'name', 'locale', 'subject', 'state', 'created_at', 'updated_at'],
    withheld: { member_id: 'the member id, already in the profile' },
  },
  {
    // The messages of those conversations, the member's and support's replies.
    table: 'support_messages',
    exportKey: 'supportMessages',
    memberColumn: 'member_id',
    onDelete: 'delete',
    exported: ['conversation_id', 'author', 'body', 'created_at'],
    withheld: {
      id: 'internal row number',
      member_id: 'the member id, already in the profile',
      staff_id: 'the identifier of the support staff member who replied',
    },
  },
  {
    // For support staff: replies they wrote stay in the other person's conversation, without them.
    table: 'support_messages',
    exportKey: 'supportRepliesWritten',
    memberColumn: 'staff_id',
    onDelete: 'anonymise',
    exported: ['conversation_id', 'created_at'],
    withheld: {
      id: 'internal row number',
      member_id: 'the identifier of the member the conversation belongs to',
      staff_id: 'the member id, already in the profile',
      author: 'always "staff" for these rows',
      body: 'written to another person; it stays in their conversation',
    },
  },
  {
    // Which service announcements the member has read (server/news/).
    table: 'news_reads',
    exportKey: 'newsRead',
    memberColumn: 'member_id',
    onDelete: 'delete',
    exported: ['news_id', 'read_at'],
    withheld: { member_id: 'the member id, already in the profile' },
  },
];

export type MemberRows = Record<string, Record<string, unknown>[]>;

export type MemberData = {
  /** Every row of every listed table about this member, keyed by exportKey. */
  exportRows(memberId: string): MemberRows;
  /**
   * Deletes (or anonymises) every row of this member, the users row last, and records an erasure
   * token (erasures.ts) so no restore of an older backup brings the member back, in one
   * transaction; then folds the WAL into the main file and truncates it: with secure_delete on, the old
   * content is then overwritten in the main file and gone from the WAL.
   */
  deleteRows(memberId: string): void;
};

export function createMemberData(db: Database, tables: readonly MemberDataTable[] = MEMBER_DATA_TABLES): MemberData {
  const selects: [string, Statement][] = tables
    .filter((entry) => entry.exported.length > 0)
    .map((entry) => [
      entry.exportKey,
      db.prepare(`SELECT ${entry.exported.map(quoteId).join(', ')} FROM ${quoteId(entry.table)} WHERE ${quoteId(entry.memberColumn)} = ?`),
    ]);
  // Dependent tables first, users last: ON DELETE CASCADE would do it too, but an explicit
  // statement per table keeps deletion right even for a table whose foreign key was forgotten.
  const ordered = [...tables].sort((a, b) => Number(a.table === 'users') - Number(b.table === 'users'));
  const erasers = ordered.map((entry) =>
    entry.onDelete === 'delete'
      ? db.prepare(`DELETE FROM ${quoteId(entry.table)} WHERE ${quoteId(entry.memberColumn)} = ?`)
      : db.prepare(`UPDATE ${quoteId(entry.table)} SET ${quoteId(entry.memberColumn)} = NULL WHERE ${quoteId(entry.memberColumn)} = ?`),
  );
  const recordErasure = erasureRecorder(db);
  const deleteAll = db.transaction((memberId: string) => {
    for (const statement of erasers) statement.run(memberId);
    recordErasure(memberId);
  });

  return {
    exportRows(memberId) {
      const rows: MemberRows = {};
      for (const [key, statement] of selects) rows[key] = [...(rows[key] ?? []), ...(statement.all(memberId) as Record<string, unknown>[])];
      return rows;
    },
    deleteRows(memberId) {
      deleteAll(memberId);
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
  };
}

function quoteId(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}

/**
 * What the registry misses in this database's schema: tables that reference users(id) (or have
 * a user_id / member_id style column) but are not listed, listed tables or columns that do not
 * exist, and columns neither exported nor withheld. Empty when export and deletion cover all.
 */
export function registryProblems(db: Database, tables: readonly MemberDataTable[] = MEMBER_DATA_TABLES): string[] {
  const problems: string[] = [];
  const schemaTables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]).sort();
  const listed = (table: string, column: string): MemberDataTable | undefined => tables.find((entry) => entry.table === table && entry.memberColumn === column);
  for (const table of schemaTables) {
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
    const keys = db.prepare('SELECT "from" AS column, "table" AS target, on_delete AS onDelete FROM pragma_foreign_key_list(?)').all(table) as {
      column: string;
      target: string;
      onDelete: string;
    }[];
    const memberColumns = new Set(keys.filter((key) => key.target === 'users').map((key) => key.column));
    for (const column of columns) if (/(^|_)(user|member)(_id)?$/.test(column) || /^(user|member)_id$/.test(column)) memberColumns.add(column);
    for (const column of memberColumns) {
      const entry = listed(table, column);
      if (entry === undefined) {
        problems.push(`${table}.${column} refers to a member but is not in MEMBER_DATA_TABLES`);
        continue;
      }
      const key = keys.find((candidate) => candidate.column === column && candidate.target === 'users');
      const expected = entry.onDelete === 'delete' ? 'CASCADE' : 'SET NULL';
      if (key === undefined) problems.push(`${table}.${column} has no foreign key to users(id)`);
      else if (key.onDelete !== expected) problems.push(`${table}.${column} is ON DELETE ${key.onDelete}, expected ${expected}`);
    }
  }
  for (const entry of tables) {
    if (!schemaTables.includes(entry.table)) {
      problems.push(`${entry.table} is listed but does not exist`);
      continue;
    }
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(entry.table) as string[];
    if (!columns.includes(entry.memberColumn)) problems.push(`${entry.table}.${entry.memberColumn} does not exist`);
    for (const column of columns) {
      const exported = entry.exported.includes(column);
      const withheld = Object.hasOwn(entry.withheld, column);
      if (!exported && !withheld) problems.push(`${entry.table}.${column} is neither exported nor withheld with a reason`);
      if (exported && withheld) problems.push(`${entry.table}.${column} is both exported and withheld`);
    }
    for (const column of [...entry.exported, ...Object.keys(entry.withheld)]) {
      if (!columns.includes(column)) problems.push(`${entry.table}.${column} is listed but does not exist`);
    }
  }
  return problems;
}
