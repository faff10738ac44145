// SQL for service announcements and the members' read marks. Statements are prepared once.
import type { Database } from 'better-sqlite3';

export type NewsRow = Readonly<{
  id: string;
  titleFr: string;
  textFr: string;
  titleEn: string;
  textEn: string;
  endsAt: string | null;
  createdAt: string;
  updatedAt: string;
}>;

/** A current announcement with whether this member has read it. */
export type MemberNewsRow = NewsRow & Readonly<{ read: 0 | 1 }>;

export type NewsContent = Omit<NewsRow, 'id' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `n.id, n.title_fr AS titleFr, n.text_fr AS textFr, n.title_en AS titleEn, n.text_en AS textEn,
  n.ends_at AS endsAt, n.created_at AS createdAt, n.updated_at AS updatedAt`;

export type NewsStore = ReturnType<typeof createNewsStore>;

export function createNewsStore(db: Database) {
  const insert = db.prepare(`INSERT INTO news (id, title_fr, text_fr, title_en, text_en, ends_at, created_at, updated_at)
    VALUES (@id, @titleFr, @textFr, @titleEn, @textEn, @endsAt, @now, @now)`);
  const update = db.prepare(`UPDATE news SET title_fr = @titleFr, text_fr = @textFr, title_en = @titleEn, text_en = @textEn,
    ends_at = @endsAt, updated_at = @now WHERE id = @id`);
  const remove = db.prepare('DELETE FROM news WHERE id = ?');
  const byId = db.prepare(`SELECT ${COLUMNS} FROM news n WHERE n.id = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM news n ORDER BY n.created_at DESC, n.id`);
  const count = db.prepare('SELECT count(*) FROM news').pluck();
  // Current: no end, or an end still ahead. ISO-8601 UTC strings compare as instants.
  const current = db.prepare(`SELECT ${COLUMNS}, (r.member_id IS NOT NULL) AS read FROM news n
    LEFT JOIN news_reads r ON r.news_id = n.id AND r.member_id = @memberId
    WHERE n.ends_at IS NULL OR n.ends_at > @now ORDER BY n.created_at DESC, n.id`);
  // Only announcements that exist and are current get a mark; a repeated mark keeps the first time.
  const markRead = db.prepare(`INSERT INTO news_reads (member_id, news_id, read_at)
    SELECT @memberId, id, @now FROM news WHERE id = @newsId AND (ends_at IS NULL OR ends_at > @now)
    ON CONFLICT (member_id, news_id) DO NOTHING`);
  const markAll = db.transaction((memberId: string, ids: readonly string[], now: string) => {
    for (const newsId of ids) markRead.run({ memberId, newsId, now });
  });

  return {
    insert(id: string, content: NewsContent, now: string): void {
      insert.run({ id, ...content, now });
    },
    /** False when no such announcement. */
    update: (id: string, content: NewsContent, now: string): boolean => update.run({ id, ...content, now }).changes === 1,
    /** False when no such announcement; its read marks go with it. */
    remove: (id: string): boolean => remove.run(id).changes === 1,
    byId: (id: string): NewsRow | undefined => byId.get(id) as NewsRow | undefined,
    all: (): NewsRow[] => all.all() as NewsRow[],
    count: (): number => count.get() as number,
    currentFor: (memberId: string, now: string): MemberNewsRow[] => current.all({ memberId, now }) as MemberNewsRow[],
    markRead(memberId: string, ids: readonly string[], now: string): void {
      markAll(memberId, ids, now);
    },
  };
}
