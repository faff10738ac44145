// Migration 008 turns the log of received calls into a log of calls made and received: every
// existing row stays, as a received call of the same member, with the same foreign-key rules.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeDatabase, MIGRATIONS_DIR, openDatabase } from '../../server/db/open.js';
import { registryProblems } from '../../server/db/member-data.js';

const CALL_LOG_DIRECTION_MIGRATION = 8;
const migration = suite('migration 008: call log direction');
let scratch = '';
migration.before.each(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-migration-'));
});
migration.after.each(() => rmSync(scratch, { recursive: true, force: true }));

migration('keeps every received call, its caller and its guest name, and anonymises as before', () => {
  const before = join(scratch, 'before');
  mkdirSync(before);
  for (const name of readdirSync(MIGRATIONS_DIR).filter((file) => Number(file.slice(0, 3)) < CALL_LOG_DIRECTION_MIGRATION)) {
    copyFileSync(join(MIGRATIONS_DIR, name), join(before, name));
  }
  const path = join(scratch, 'data.sqlite');
  const old = openDatabase(path, { migrationsDir: before });
  const user = old.prepare(
    "INSERT INTO users (id, email, first_name, last_name, password_hash, created_at, updated_at) VALUES (?, ?, 'A', 'B', 'x', 't', 't')",
  );
  user.run('ada', 'ada@example.org');
  user.run('bob', 'bob@example.org');
  const call = old.prepare(
    'INSERT INTO call_log (callee_id, caller_kind, caller_id, caller_guest_name, started_at, outcome, duration_s, seen, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  call.run('bob', 'member', 'ada', null, '2026-11-01T09:00:00.000Z', 'answered', 42, 1, 1);
  call.run('bob', 'guest', null, 'Zoé', '2026-11-01T10:00:00.000Z', 'missed', null, 0, 3);
  closeDatabase(old);

  const db = openDatabase(path);
  try {
    assert.equal(
      db.prepare('SELECT member_id, direction, peer_kind, peer_id, peer_guest_name, outcome, duration_s, seen, attempts FROM call_log ORDER BY id').all(),
      [
        {
          member_id: 'bob',
          direction: 'received',
          peer_kind: 'member',
          peer_id: 'ada',
          peer_guest_name: null,
          outcome: 'answered',
          duration_s: 42,
          seen: 1,
          attempts: 1,
        },
        {
          member_id: 'bob',
          direction: 'received',
          peer_kind: 'guest',
          peer_id: null,
          peer_guest_name: 'Zoé',
          outcome: 'missed',
          duration_s: null,
          seen: 0,
          attempts: 3,
        },
      ],
    );
    assert.equal(registryProblems(db), []);
    assert.is(db.prepare('SELECT show_presence FROM call_links').all().length, 0);
    db.prepare("DELETE FROM users WHERE id = 'ada'").run();
    assert.equal(db.prepare('SELECT peer_id FROM call_log ORDER BY id').pluck().all(), [null, null], 'a member who left becomes a former member');
    assert.throws(() =>
      db
        .prepare(
          "INSERT INTO call_log (member_id, direction, peer_kind, peer_guest_name, started_at, outcome) VALUES ('bob', 'made', 'guest', 'Zoé', 't', 'missed')",
        )
        .run(),
    );
  } finally {
    closeDatabase(db);
  }
});

migration.run();
