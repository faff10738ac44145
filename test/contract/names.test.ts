// The one name rule shared by sign-up, profile, guest tickets and the pages.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DISPLAY_NAME_MAX_CODE_POINTS, MEMBER_NAME_MAX_CODE_POINTS, nameProblem, normaliseName } from '../../server/contract/names.js';

const normalising = suite('normaliseName');

normalising('trims and folds spaces, tabs and line breaks, keeps accents and scripts', () => {
  assert.is(normaliseName('  Zoé \t  Ňovák \n'), 'Zoé Ňovák');
  assert.is(normaliseName('李雷'), '李雷');
  assert.is(normaliseName('Nguyễn Thị'), 'Nguyễn Thị');
});

normalising('makes the composed and decomposed spellings of a name one name', () => {
  assert.is(normaliseName('Zoe\u0301'), normaliseName('Zo\u00e9'));
});

normalising('keeps invisible characters for the rule to refuse instead of turning them into spaces', () => {
  assert.is(normaliseName('a\uFEFFb'), 'a\uFEFFb');
  assert.is(normaliseName('a\u2028b'), 'a\u2028b');
});

normalising.run();

const rule = suite('nameProblem');

rule('accepts real names in many scripts, with accents and emoji', () => {
  for (const name of ['Marie Curie', 'Jean-Édouard O’Neill', 'Nguyễn Thị Minh Khai', '李雷', 'Ωμέγα', 'محمد', 'Zoé 👩🏽']) {
    assert.is(nameProblem(normaliseName(name), MEMBER_NAME_MAX_CODE_POINTS), null, name);
  }
});

rule('says a name is required when nothing visible is left', () => {
  assert.is(nameProblem(normaliseName('   '), DISPLAY_NAME_MAX_CODE_POINTS), 'required');
});

rule('refuses control, bidirectional, zero-width, tag, filler, variation-selector and separator characters', () => {
  const hidden = [
    '\u0000',
    '\u0007',
    '\u202E',
    '\u2066',
    '\u200B',
    '\u200D',
    '\u2060',
    '\uFEFF',
    '\u{E0041}',
    '\u3164',
    '\u115F',
    '\u2800',
    '\u2028',
    '\uE000',
  ];
  // Invisible too, though not format characters: combining grapheme joiner, variation selectors
  // (and their supplement), a Mongolian free variation selector, the soft hyphen, the Khmer vowel.
  hidden.push('\u034F', '\uFE0F', '\u{E0100}', '\u180B', '\u180F', '\u00AD', '\u17B4', '\uFFA0', '\u1160', '\u061C', '\u{1D173}');
  for (const character of hidden) {
    const name = normaliseName(`Ali${character}ce`);
    assert.is(nameProblem(name, DISPLAY_NAME_MAX_CODE_POINTS), 'control_characters', JSON.stringify(character));
  }
});

rule('allows a few combining marks on a letter and refuses a pile of them', () => {
  assert.is(nameProblem('e\u0301\u0302\u0303', DISPLAY_NAME_MAX_CODE_POINTS), null);
  assert.is(nameProblem(`Z${'\u0336\u0337\u0338\u0339'}oe`, DISPLAY_NAME_MAX_CODE_POINTS), 'too_many_marks');
});

rule('counts the length in code points, so a name in any script gets the same room', () => {
  assert.is(nameProblem('𝒜'.repeat(DISPLAY_NAME_MAX_CODE_POINTS), DISPLAY_NAME_MAX_CODE_POINTS), null);
  assert.is(nameProblem('x'.repeat(DISPLAY_NAME_MAX_CODE_POINTS + 1), DISPLAY_NAME_MAX_CODE_POINTS), 'too_long');
});

rule.run();
