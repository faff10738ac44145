// English for verify.fr.ts (the reference); spread into en.ts.
import type { verifyFr } from './verify.fr.js';

export const verifyEn: Readonly<Record<keyof typeof verifyFr, string>> = {
  'client.call.verify.label': 'Security code:',
  'client.call.verify.hint': 'Read it aloud: {name} should see the same. If it differs, someone may be listening in.',
  'client.call.verify.help': 'Learn more',
  'client.call.verify.newTab': 'opens in a new tab',
};
