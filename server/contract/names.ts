// The one rule for every name a person types: a member's first and last names (sign-up and
// profile) and a guest's display name (call links). The server applies it to every request and
// the pages apply the same code before sending, so both always agree. This module runs in the
// browser too: no Node import.
//
// A name is shown to other people, so it must read as what it is: no control characters, no
// invisible ones (zero-width, bidirectional overrides that reorder text, tag characters, blank
// "filler" letters) and no pile of combining marks that smears over neighbouring lines.

/** Long enough for real names (compound, several given names), short enough for one line. */
export const MEMBER_NAME_MAX_CODE_POINTS = 80;
/** A guest's name shows on an incoming-call dialog and in the log: shorter still. */
export const DISPLAY_NAME_MAX_CODE_POINTS = 60;
/** Real scripts stack at most a few marks on one letter (Vietnamese: two); more is abuse. */
export const MAX_COMBINING_MARKS_PER_LETTER = 3;

export type NameProblem = 'required' | 'too_long' | 'control_characters' | 'too_many_marks';

/**
 * Controls (Cc), format characters (Cf: zero-width spaces and joiners, bidirectional marks and
 * overrides, tags, the byte-order mark, the soft hyphen), private-use and unassigned code
 * points, line and paragraph separators, every other code point Unicode says to render as
 * nothing (Default_Ignorable_Code_Point: variation selectors, the combining grapheme joiner,
 * Mongolian free variation selectors, Hangul fillers, the Khmer inherent vowels) and the braille
 * blank, which is not "ignorable" but shows as a blank all the same.
 */
const FORBIDDEN_CHARACTERS = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;
const TOO_MANY_MARKS = new RegExp(`\\p{M}{${MAX_COMBINING_MARKS_PER_LETTER + 1},}`, 'u');

/**
 * Unicode NFC (so "é" typed either way is one name), runs of spaces, tabs and line breaks folded
 * to one space, trimmed. Only visible spacing counts as space: a byte-order mark or a line
 * separator stays, for nameProblem to refuse.
 */
export function normaliseName(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/[\p{Zs}\t\n\r]+/gu, ' ')
    .trim();
}

/** Whether text holds a character no one can see or that changes how the text around it reads. */
export function hasHiddenCharacters(text: string): boolean {
  return FORBIDDEN_CHARACTERS.test(text);
}

/** What is wrong with a name (already normalised), or null when it may be used. */
export function nameProblem(name: string, maxCodePoints: number): NameProblem | null {
  if (name === '') return 'required';
  if (hasHiddenCharacters(name)) return 'control_characters';
  if (TOO_MANY_MARKS.test(name)) return 'too_many_marks';
  if ([...name].length > maxCodePoints) return 'too_long';
  return null;
}
