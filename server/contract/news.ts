// Service news over the wire: what the admin API takes and answers, what members read, and the
// limits both the pages and the server check. Types and constants only (the browser imports it).

/** A title fits one line of a notice. */
export const NEWS_TITLE_MAX_CODE_POINTS = 120;
/** A few paragraphs: news, not a newsletter. */
export const NEWS_TEXT_MAX_CODE_POINTS = 4000;
/** An end date further than this is surely a typo; without an end, leave it out. */
export const NEWS_END_MAX_DAYS = 366;
/** Announcements kept at once: the members' news page lists them all. */
export const NEWS_MAX_ANNOUNCEMENTS = 100;

/** POST /api/admin/news and PUT /api/admin/news/:id: both languages; endsAt an ISO instant or null. */
export type NewsInput = Readonly<{ titleFr: string; textFr: string; titleEn: string; textEn: string; endsAt: string | null }>;

/** An announcement as the admin page lists it. `ended`: its end date has passed. */
export type NewsAdminView = NewsInput & Readonly<{ id: string; createdAt: string; updatedAt: string; ended: boolean }>;
export type NewsAdminList = Readonly<{ announcements: readonly NewsAdminView[] }>;

/** A current announcement as a member reads it, in the language of the request. */
export type NewsItem = Readonly<{ id: string; title: string; text: string; endsAt: string | null; createdAt: string; read: boolean }>;
/** GET /api/news: current announcements, newest first, and how many the member has not read. */
export type NewsFeed = Readonly<{ announcements: readonly NewsItem[]; unread: number }>;

/** POST /api/news/read: the announcements the member has now seen. */
export type NewsReadInput = Readonly<{ ids: readonly string[] }>;
