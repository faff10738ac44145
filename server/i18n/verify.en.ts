// English for verify.fr.ts (the reference); spread into en.ts.
import type { verifyFr } from './verify.fr.js';

export const verifyEn: Readonly<Record<keyof typeof verifyFr, string>> = {
  'client.call.verify.label': 'Security code:',
  'client.call.verify.hint': 'Read it aloud: {name} should see the same. If it differs, someone may be listening in.',
  'client.call.verify.help': 'Learn more',
  'client.call.verify.newTab': 'opens in a new tab',
  'client.call.verify.warningTitle': 'Warning: someone may be listening in on this call',
  'client.call.verify.warningCommitment':
    'The connection does not lead to {name}’s device: its encryption key is not the one that device announced. No security code can vouch for it. Hang up, say nothing confidential, and tell the service’s administrator.',
  'client.call.verify.warningChanged':
    '{name}’s encryption key changed during the call: the connection may no longer lead to their device. Hang up, say nothing confidential, and tell the service’s administrator.',
  'client.call.keyFailed': 'This browser could not prepare the call’s encryption. Try again, or use another browser.',
};
