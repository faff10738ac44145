// Service news: an admin writes announcements in French and English, optionally until an end
// date; members read the current ones in their language, and each one they have seen is marked
// read for them. The role check is here, not only in the routes and pages.
import { randomBytes } from 'node:crypto';
import { NEWS_END_MAX_DAYS, NEWS_MAX_ANNOUNCEMENTS, type NewsAdminView, type NewsFeed, type NewsInput } from '../contract/news.js';
import { AppError, badRequest, conflict } from '../errors.js';
import type { Locale } from '../i18n/index.js';
import type { Actor } from '../staff/actor.js';
import { canPublishNews, requireCapability } from '../staff/roles.js';
import { NEWS_ID_PATTERN } from './news-rules.js';
import type { NewsContent, NewsRow, NewsStore } from './news-store.js';

/** 96 bits, 16 characters: unguessable is not needed, unique is. */
const NEWS_ID_BYTES = 12;
const DAY_MS = 24 * 3600_000;

const noSuchAnnouncement = (): AppError => new AppError('not_found', 'announcement_not_found', 'No such announcement.');

export type NewsService = ReturnType<typeof createNewsService>;

export function createNewsService(deps: { store: NewsStore; now?: () => number }) {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const iso = (ms: number): string => new Date(ms).toISOString();

  const adminView = (row: NewsRow, at: number): NewsAdminView => ({
    id: row.id,
    titleFr: row.titleFr,
    textFr: row.textFr,
    titleEn: row.titleEn,
    textEn: row.textEn,
    endsAt: row.endsAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ended: row.endsAt !== null && Date.parse(row.endsAt) <= at,
  });

  /** The end date against the clock: never past NEWS_END_MAX_DAYS; on creation, not already past. */
  const checkedContent = (input: NewsInput, at: number, creating: boolean): NewsContent => {
    if (input.endsAt !== null) {
      const end = Date.parse(input.endsAt);
      if (creating && end <= at) throw badRequest('invalid_fields', 'The end date has passed already.', { endsAt: 'in_the_past' });
      if (end > at + NEWS_END_MAX_DAYS * DAY_MS)
        throw badRequest('invalid_fields', `The end date is more than ${NEWS_END_MAX_DAYS} days away.`, { endsAt: 'too_far' });
    }
    return { titleFr: input.titleFr, textFr: input.textFr, titleEn: input.titleEn, textEn: input.textEn, endsAt: input.endsAt };
  };

  const existing = (id: string): NewsRow => {
    const row = NEWS_ID_PATTERN.test(id) ? store.byId(id) : undefined;
    if (row === undefined) throw noSuchAnnouncement();
    return row;
  };

  return {
    list(actor: Actor): NewsAdminView[] {
      requireCapability(canPublishNews, actor.role);
      const at = now();
      return store.all().map((row) => adminView(row, at));
    },

    create(actor: Actor, input: NewsInput): NewsAdminView {
      requireCapability(canPublishNews, actor.role);
      const at = now();
      const content = checkedContent(input, at, true);
      if (store.count() >= NEWS_MAX_ANNOUNCEMENTS)
        throw conflict('too_many_announcements', `At most ${NEWS_MAX_ANNOUNCEMENTS} announcements are kept: delete old ones first.`);
      const id = randomBytes(NEWS_ID_BYTES).toString('base64url');
      store.insert(id, content, iso(at));
      return adminView(existing(id), at);
    },

    update(actor: Actor, id: string, input: NewsInput): NewsAdminView {
      requireCapability(canPublishNews, actor.role);
      const at = now();
      existing(id);
      // An edit may keep (or set) an end that has passed: that is how an admin withdraws one.
      store.update(id, checkedContent(input, at, false), iso(at));
      return adminView(existing(id), at);
    },

    remove(actor: Actor, id: string): void {
      requireCapability(canPublishNews, actor.role);
      if (!store.remove(existing(id).id)) throw noSuchAnnouncement();
    },

    /** Every current announcement (not ended), newest first, in the member's language. */
    feed(memberId: string, locale: Locale): NewsFeed {
      const rows = store.currentFor(memberId, iso(now()));
      const announcements = rows.map((row) => ({
        id: row.id,
        title: locale === 'fr' ? row.titleFr : row.titleEn,
        text: locale === 'fr' ? row.textFr : row.textEn,
        endsAt: row.endsAt,
        createdAt: row.createdAt,
        read: row.read === 1,
      }));
      return { announcements, unread: announcements.filter((item) => !item.read).length };
    },

    /** Marks these announcements read for the member; unknown or ended ones are passed over. */
    markRead(memberId: string, ids: readonly string[]): void {
      store.markRead(memberId, ids, iso(now()));
    },
  };
}
