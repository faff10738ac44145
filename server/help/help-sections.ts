// The sections of the help page, in the order shown. A section is data: an anchor, a title,
// paragraphs and optionally numbered steps, each a message key of help.fr.ts / help.en.ts. To
// explain something new, add its strings there and a section here; the page and its table of
// contents follow, and test/help/help-page.test.ts checks every section in both languages.
import type { MessageKey } from '../i18n/index.js';

export type HelpSection = Readonly<{
  /** The anchor other pages link to (`/help#<id>`): stable once published. */
  id: string;
  title: MessageKey;
  /** Paragraphs before the steps. */
  intro: readonly MessageKey[];
  steps?: readonly MessageKey[];
  /** Paragraphs after the steps. */
  outro?: readonly MessageKey[];
}>;

export const HELP_SECTIONS: readonly HelpSection[] = [
  {
    // The call screen links here (public/ts/lib/call/verification-view.ts).
    id: 'verification-code',
    title: 'help.verify.title',
    intro: ['help.verify.what', 'help.verify.why', 'help.verify.strength'],
    steps: ['help.verify.step.read', 'help.verify.step.compare', 'help.verify.step.same'],
    outro: ['help.verify.differs', 'help.verify.warning'],
  },
  { id: 'do-not-disturb', title: 'help.reach.dnd.title', intro: ['help.reach.dnd.text'] },
  { id: 'knock-first', title: 'help.reach.knock.title', intro: ['help.reach.knock.text'] },
  { id: 'blocking', title: 'help.reach.block.title', intro: ['help.reach.block.text'] },
  { id: 'connection-test', title: 'help.selftest.title', intro: ['help.selftest.what', 'help.selftest.report'] },
];
