// What a valid news request looks like: the bodies of /api/admin/news and /api/news/read.
import { NEWS_MAX_ANNOUNCEMENTS, NEWS_TEXT_MAX_CODE_POINTS, NEWS_TITLE_MAX_CODE_POINTS, type NewsInput, type NewsReadInput } from '../contract/news.js';
import { type FieldReader, schema } from '../http/schema.js';

/** Announcement ids as news-service.ts makes them. */
export const NEWS_ID_PATTERN = /^[A-Za-z0-9_-]{16}$/;
/** An instant as the pages send it (Date.prototype.toISOString), seconds and milliseconds optional. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

// Control characters are invisible or break a page; a text may keep its line breaks (and tabs).
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const LINE_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const TEXT_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** A trimmed, non-empty text of at most `max` code points (`required`, `too_long`, `control_characters`). */
function textField(max: number, multiline: boolean): FieldReader<string> {
  return (value, problems, key) => {
    const text = typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : '';
    if (text === '') problems[key] = 'required';
    else if ([...text].length > max) problems[key] = 'too_long';
    else if ((multiline ? TEXT_CONTROL : LINE_CONTROL).test(text)) problems[key] = 'control_characters';
    return text;
  };
}

/** Left out or null: no end. Else an ISO instant (`invalid_date`); the service checks it against the clock. */
const endField: FieldReader<string | null> = (value, problems, key) => {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || !Number.isFinite(Date.parse(value))) {
    problems[key] = 'invalid_date';
    return null;
  }
  return new Date(Date.parse(value)).toISOString();
};

const title = textField(NEWS_TITLE_MAX_CODE_POINTS, false);
const text = textField(NEWS_TEXT_MAX_CODE_POINTS, true);

export const parseNewsInput: (body: unknown) => NewsInput = schema(
  { titleFr: title, textFr: text, titleEn: title, textEn: text, endsAt: endField },
  { closed: true },
);

/** The ids of the announcements a member has just seen: at most as many as may exist. */
const idsField: FieldReader<string[]> = (value, problems, key) => {
  if (!Array.isArray(value) || value.length > NEWS_MAX_ANNOUNCEMENTS) {
    problems[key] = Array.isArray(value) ? 'too_many' : 'invalid';
    return [];
  }
  if (!value.every((id): id is string => typeof id === 'string' && NEWS_ID_PATTERN.test(id))) problems[key] = 'invalid';
  return value as string[];
};

export const parseNewsRead: (body: unknown) => NewsReadInput = schema({ ids: idsField }, { closed: true });
