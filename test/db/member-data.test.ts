import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { erasedMembers, erasureKey, erasureToken, readErasures } from '../../server/db/erasures.js';
import { createMemberData, MEMBER_DATA_TABLES, registryProblems } from '../../server/db/member-data.js';
import { closeDatabase, openDatabase, type Database } from '../../server/db/open.js';
import { makeDataDir } from '../helpers/server.js';

const registry = suite('the member-data table registry');
let dataDir: string;
let db: Database;
registry.before.each(() => {
  dataDir = makeDataDir();
  db = openDatabase(join(dataDir, 'test.sqlite'));
});
registry.after.each(() => {
  closeDatabase(db);
  rmSync(dataDir, { recursive: true, force: true });
});

registry('covers every table and column of the schema that holds member data', () => {
  assert.equal(registryProblems(db), []);
});

registry('fails when a new table refers to members without being listed', () => {
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, text TEXT) STRICT');
  db.exec('CREATE TABLE votes (id INTEGER PRIMARY KEY, member_id TEXT) STRICT');
  assert.equal(registryProblems(db), [
    'notes.user_id refers to a member but is not in MEMBER_DATA_TABLES',
    'votes.member_id refers to a member but is not in MEMBER_DATA_TABLES',
  ]);
});

registry('fails when a listed table gains a column that is neither exported nor withheld', () => {
  db.exec('ALTER TABLE users ADD COLUMN phone TEXT');
  assert.equal(registryProblems(db), ['users.phone is neither exported nor withheld with a reason']);
});

registry('fails when an anonymised column would cascade instead', () => {
  db.exec(
    'CREATE TABLE shared_calls (id INTEGER PRIMARY KEY, callee_id TEXT REFERENCES users(id) ON DELETE CASCADE, caller_id TEXT REFERENCES users(id) ON DELETE CASCADE) STRICT',
  );
  const tables = [
    ...MEMBER_DATA_TABLES,
    { table: 'shared_calls', exportKey: 'calls', memberColumn: 'callee_id', onDelete: 'delete', exported: ['id', 'callee_id', 'caller_id'], withheld: {} },
    { table: 'shared_calls', exportKey: 'calls', memberColumn: 'caller_id', onDelete: 'anonymise', exported: ['id', 'callee_id', 'caller_id'], withheld: {} },
  ] as const;
  assert.equal(registryProblems(db, tables), ['shared_calls.caller_id is ON DELETE CASCADE, expected SET NULL']);
});

registry('exports and deletes every listed row of one member, anonymising shared rows, and nothing of another', () => {
  const insertUser = db.prepare(
    "INSERT INTO users (id, email, first_name, last_name, password_hash, created_at, updated_at) VALUES (?, ?, 'F', 'L', 'h', 'now', 'now')",
  );
  insertUser.run('alice', 'alice@example.org');
  insertUser.run('bob', 'bob@example.org');
  db.prepare("INSERT INTO consents (user_id, document, version, accepted_at) VALUES (?, 'privacy_policy', 'v1', 'now')").run('alice');
  db.prepare("INSERT INTO sessions (id, token_hash, user_id, device, created_at, last_used_at) VALUES (?, ?, ?, 'd', 'now', 'now')").run(
    's1',
    Buffer.from('a'),
    'alice',
  );
  db.prepare("INSERT INTO sessions (id, token_hash, user_id, device, created_at, last_used_at) VALUES (?, ?, ?, 'd', 'now', 'now')").run(
    's2',
    Buffer.from('b'),
    'bob',
  );
  const insertLink = db.prepare(
    "INSERT INTO email_links (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, 'password_reset', 'now', 'later')",
  );
  insertLink.run(Buffer.from('link-a'), 'alice');
  insertLink.run(Buffer.from('link-b'), 'bob');
  db.exec(
    'CREATE TABLE shared_calls (id INTEGER PRIMARY KEY, callee_id TEXT REFERENCES users(id) ON DELETE CASCADE, caller_id TEXT REFERENCES users(id) ON DELETE SET NULL) STRICT',
  );
  db.exec("INSERT INTO shared_calls (callee_id, caller_id) VALUES ('alice', 'bob'), ('bob', 'alice')");
  const tables = [
    ...MEMBER_DATA_TABLES,
    {
      table: 'shared_calls',
      exportKey: 'calls_received',
      memberColumn: 'callee_id',
      onDelete: 'delete',
      exported: ['id', 'callee_id', 'caller_id'],
      withheld: {},
    },
    {
      table: 'shared_calls',
      exportKey: 'calls_made',
      memberColumn: 'caller_id',
      onDelete: 'anonymise',
      exported: ['id', 'callee_id', 'caller_id'],
      withheld: {},
    },
  ] as const;
  assert.equal(registryProblems(db, tables), []);
  const data = createMemberData(db, tables);

  const exported = data.exportRows('alice');
  assert.equal(Object.keys(exported).sort(), [
    'blocked',
    'callLink',
    'callLog',
    'calls_made',
    'calls_received',
    'consents',
    'doNotDisturb',
    'emailLinks',
    'inOtherMembersLogs',
    'invitationsCreated',
    'newsRead',
    'profile',
    'sessions',
    'supportConversations',
    'supportMessages',
    'supportRepliesWritten',
  ]);
  assert.not.ok('blockedBy' in exported, 'a member is never told who blocked them');
  assert.equal(exported['emailLinks'], [{ purpose: 'password_reset', created_at: 'now', expires_at: 'later' }], 'the link without its token hash');
  assert.is(exported['profile']?.[0]?.['email_status'], 'unchecked');
  assert.is(exported['profile']?.[0]?.['news_emails'], 1);
  assert.is(exported['profile']?.[0]?.['email'], 'alice@example.org');
  assert.not.ok('password_hash' in (exported['profile']?.[0] ?? {}));
  assert.not.ok('token_hash' in (exported['sessions']?.[0] ?? {}));
  assert.is(exported['sessions']?.length, 1);
  assert.is(exported['calls_made']?.length, 1);

  data.deleteRows('alice');
  for (const entry of tables) {
    const left = db.prepare(`SELECT count(*) AS n FROM ${entry.table} WHERE ${entry.memberColumn} = 'alice'`).get() as { n: number };
    assert.is(left.n, 0, `${entry.table}.${entry.memberColumn}`);
  }
  assert.equal(db.prepare('SELECT callee_id, caller_id FROM shared_calls').all(), [{ callee_id: 'bob', caller_id: null }], 'Bob keeps his call, without Alice');
  assert.is((db.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = 'bob'").get() as { n: number }).n, 1);
  assert.is((db.prepare("SELECT count(*) AS n FROM email_links WHERE user_id = 'bob'").get() as { n: number }).n, 1, 'Bob keeps his link');
});

registry('records an erasure token that names nobody, and finds the member again by it', () => {
  const insertUser = db.prepare(
    "INSERT INTO users (id, email, first_name, last_name, password_hash, created_at, updated_at) VALUES (?, ?, 'F', 'L', 'h', 'now', 'now')",
  );
  insertUser.run('alice-id', 'alice@example.org');
  insertUser.run('bob-id', 'bob@example.org');
  const before = readErasures(db);
  assert.ok(before !== null);
  assert.is(before.tokens.size, 0);
  createMemberData(db).deleteRows('alice-id');
  const after = readErasures(db);
  assert.equal([...(after?.tokens ?? [])], [erasureToken(erasureKey(db), 'alice-id')]);
  assert.not.ok(
    [...(after?.tokens ?? [])].some((token) => token.includes('alice')),
    'the token is not the id',
  );
  assert.not.equal(erasureToken('00'.repeat(32), 'alice-id'), erasureToken(erasureKey(db), 'alice-id'), 'keyed: another installation makes other tokens');
  // An older copy still holding Alice is matched; Bob is not.
  insertUser.run('alice-id', 'alice@example.org');
  assert.equal(erasedMembers(db, after === null ? [] : [after]), ['alice-id']);
});

registry.run();
