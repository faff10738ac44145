// SQL for who may ring a member: their do-not-disturb settings and their block list. Statements
// are prepared once.
import type { Database } from 'better-sqlite3';
import { WEEKDAYS, type DndSchedule, type Weekday } from './dnd-schedule.js';

export type ReachSettingsRow = Readonly<{ dndNow: boolean; schedule: DndSchedule; knockFirst: boolean }>;

export type BlockRow = Readonly<{
  id: number;
  kind: 'member' | 'guest';
  blockedMemberId: string | null;
  /** The blocked member's name as it is now (null for a guest). */
  memberFirstName: string | null;
  memberLastName: string | null;
  guestId: string | null;
  guestName: string | null;
  createdAt: string;
}>;

export type NewBlock = Readonly<{ kind: 'member'; memberId: string }> | Readonly<{ kind: 'guest'; guestId: string; guestName: string; linkCode: string }>;

export type ReachStore = ReturnType<typeof createReachStore>;

type RawSettings = { dndNow: number; days: number; startMin: number; endMin: number; timeZone: string; knockFirst: number };

const daysOf = (mask: number): Weekday[] => WEEKDAYS.filter((_, index) => (mask & (1 << index)) !== 0);
const maskOf = (days: readonly Weekday[]): number => days.reduce((mask, day) => mask | (1 << WEEKDAYS.indexOf(day)), 0);

export function createReachStore(db: Database) {
  const settingsOf = db.prepare(`SELECT dnd_now AS dndNow, schedule_days AS days, schedule_start_min AS startMin,
    schedule_end_min AS endMin, time_zone AS timeZone, knock_first AS knockFirst FROM reach_settings WHERE user_id = ?`);
  const saveSettings =
    db.prepare(`INSERT INTO reach_settings (user_id, dnd_now, schedule_days, schedule_start_min, schedule_end_min, time_zone, knock_first, updated_at)
    VALUES (@memberId, @dndNow, @days, @startMin, @endMin, @timeZone, @knockFirst, @now)
    ON CONFLICT (user_id) DO UPDATE SET dnd_now = @dndNow, schedule_days = @days, schedule_start_min = @startMin,
      schedule_end_min = @endMin, time_zone = @timeZone, knock_first = @knockFirst, updated_at = @now`);
  const blocksOf = db.prepare(`SELECT b.id, b.kind, b.blocked_member_id AS blockedMemberId, u.first_name AS memberFirstName,
      u.last_name AS memberLastName, b.guest_id AS guestId, b.guest_name AS guestName, b.created_at AS createdAt
    FROM blocks b LEFT JOIN users u ON u.id = b.blocked_member_id WHERE b.user_id = ? ORDER BY b.id DESC`);
  const blockCount = db.prepare('SELECT count(*) AS n FROM blocks WHERE user_id = ?').pluck();
  const insertMember = db.prepare(`INSERT INTO blocks (user_id, kind, blocked_member_id, created_at) VALUES (?, 'member', ?, ?)
    ON CONFLICT DO NOTHING`);
  const insertGuest = db.prepare(`INSERT INTO blocks (user_id, kind, guest_id, guest_name, link_code, created_at) VALUES (?, 'guest', ?, ?, ?, ?)
    ON CONFLICT DO NOTHING`);
  const removeBlock = db.prepare('DELETE FROM blocks WHERE id = ? AND user_id = ?');
  const isMemberBlocked = db.prepare('SELECT 1 FROM blocks WHERE user_id = ? AND blocked_member_id = ?').pluck();
  const isGuestBlocked = db.prepare('SELECT 1 FROM blocks WHERE user_id = ? AND guest_id = ? AND link_code = ?').pluck();

  return {
    /** The member's settings, or undefined when they never changed them. */
    settingsOf(memberId: string): ReachSettingsRow | undefined {
      const raw = settingsOf.get(memberId) as RawSettings | undefined;
      if (raw === undefined) return undefined;
      return {
        dndNow: raw.dndNow === 1,
        schedule: { days: daysOf(raw.days), startMin: raw.startMin, endMin: raw.endMin, timeZone: raw.timeZone },
        knockFirst: raw.knockFirst === 1,
      };
    },
    saveSettings(memberId: string, settings: ReachSettingsRow, now: string): void {
      const { schedule } = settings;
      saveSettings.run({
        memberId,
        dndNow: Number(settings.dndNow),
        days: maskOf(schedule.days),
        startMin: schedule.startMin,
        endMin: schedule.endMin,
        timeZone: schedule.timeZone,
        knockFirst: Number(settings.knockFirst),
        now,
      });
    },
    blocksOf: (memberId: string): BlockRow[] => blocksOf.all(memberId) as BlockRow[],
    blockCount: (memberId: string): number => blockCount.get(memberId) as number,
    /** Adds a block; blocking the same one twice keeps the first. */
    addBlock(memberId: string, block: NewBlock, now: string): void {
      if (block.kind === 'member') insertMember.run(memberId, block.memberId, now);
      else insertGuest.run(memberId, block.guestId, block.guestName, block.linkCode, now);
    },
    /** False when there is no such block of this member. */
    removeBlock: (memberId: string, id: number): boolean => removeBlock.run(id, memberId).changes === 1,
    isMemberBlocked: (memberId: string, callerId: string): boolean => isMemberBlocked.get(memberId, callerId) !== undefined,
    isGuestBlocked: (memberId: string, guestId: string, linkCode: string): boolean => isGuestBlocked.get(memberId, guestId, linkCode) !== undefined,
  };
}
