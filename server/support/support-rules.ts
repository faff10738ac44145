// What a valid support request looks like: the contact form's message and a reply. Subjects and
// messages are read by staff in the inbox, so characters that would hide or reorder text are
// refused, as in names; a message keeps its line breaks.
import { emailField } from '../accounts/account-rules.js';
import { normaliseName } from '../contract/names.js';
import {
  SUPPORT_MESSAGE_MAX_CODE_POINTS,
  SUPPORT_NAME_MAX_CODE_POINTS,
  SUPPORT_STATES,
  SUPPORT_SUBJECT_MAX_CODE_POINTS,
  type SupportState,
} from '../contract/support.js';
import { badRequest } from '../errors.js';
import { type FieldReader, nameField, optional, schema } from '../http/schema.js';

/** Controls other than line breaks and tabs, and the bidirectional overrides that reorder text on screen. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const HIDDEN_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** One line of text (a subject): spacing folded like a name's, at most `maxCodePoints`. */
function lineField(maxCodePoints: number): FieldReader<string> {
  return (value, problems, key) => {
    const text = typeof value === 'string' ? normaliseName(value) : '';
    if (text === '') problems[key] = 'required';
    else if (HIDDEN_IN_TEXT.test(text)) problems[key] = 'control_characters';
    else if ([...text].length > maxCodePoints) problems[key] = 'too_long';
    return text;
  };
}

/** A message: Unicode NFC, line breaks kept (as \n), trimmed, at most `maxCodePoints`. */
function textField(maxCodePoints: number): FieldReader<string> {
  return (value, problems, key) => {
    const text = typeof value === 'string' ? value.normalize('NFC').replace(/\r\n?/g, '\n').trim() : '';
    if (text === '') problems[key] = 'required';
    else if (HIDDEN_IN_TEXT.test(text)) problems[key] = 'control_characters';
    else if ([...text].length > maxCodePoints) problems[key] = 'too_long';
    return text;
  };
}

/**
 * The honeypot: a field people never see (nor hear, with a screen reader) and so leave empty.
 * Anything in it, of any type, marks the sender as a robot.
 */
const honeypotField: FieldReader<boolean> = (value) => value !== '' && value !== null;

export const parseContactMessage = schema(
  {
    email: emailField,
    name: nameField(SUPPORT_NAME_MAX_CODE_POINTS),
    subject: lineField(SUPPORT_SUBJECT_MAX_CODE_POINTS),
    message: textField(SUPPORT_MESSAGE_MAX_CODE_POINTS),
    website: optional(honeypotField),
  },
  { closed: true },
);
export type ContactMessage = ReturnType<typeof parseContactMessage>;

export const parseReply = schema({ message: textField(SUPPORT_MESSAGE_MAX_CODE_POINTS) }, { closed: true });

/** Letters and digits that cannot be mistaken for one another when read out or copied by hand. */
export const REFERENCE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
/** Two groups of four: 30^8 ≈ 6.6e11 references, random, so their order says nothing about the inbox. */
export const REFERENCE_GROUP_LENGTH = 4;
const REFERENCE_SOURCE = `[${REFERENCE_ALPHABET}]{${REFERENCE_GROUP_LENGTH}}-[${REFERENCE_ALPHABET}]{${REFERENCE_GROUP_LENGTH}}`;
export const REFERENCE_PATTERN = new RegExp(`^${REFERENCE_SOURCE}$`);

/**
 * Where a page of the inbox ends: the last conversation's latest activity and its reference
 * (the inbox is ordered by both). Sent as `next`, given back as `after`: "<ISO time>~<reference>".
 */
export type InboxCursor = Readonly<{ updatedAt: string; reference: string }>;
const CURSOR_PATTERN = new RegExp(`^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z)~(${REFERENCE_SOURCE})$`);

export const inboxCursorOf = (row: InboxCursor): string => `${row.updatedAt}~${row.reference}`;

/** The inbox's `after` parameter: absent for the first page, else a `next` it sent. */
export function parseInboxCursor(value: unknown): InboxCursor | null {
  if (value === undefined) return null;
  const match = typeof value === 'string' ? CURSOR_PATTERN.exec(value) : null;
  if (match === null || Number.isNaN(Date.parse(match[1] ?? ''))) throw badRequest('invalid_query', 'after must be the next value of a page of the inbox.');
  return { updatedAt: match[1] ?? '', reference: match[2] ?? '' };
}

/** The inbox's `state` filter: one state, or every conversation when absent or `all`. */
export function parseStateFilter(value: unknown): SupportState | null {
  if (value === undefined || value === 'all') return null;
  if (typeof value === 'string' && (SUPPORT_STATES as readonly string[]).includes(value)) return value as SupportState;
  throw badRequest('invalid_query', `state must be one of ${SUPPORT_STATES.join(', ')} or all.`);
}
