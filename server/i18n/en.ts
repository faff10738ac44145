import type { MessageKey } from './fr.js';

export const en: Readonly<Record<MessageKey, string>> = {
  'site.name': 'Porthello',
  'site.tagline': 'Private video calls, hosted by you',
  'nav.home': 'Home',
  'nav.language': 'Language',
  'nav.skip': 'Skip to content',
  'footer.privacy': 'Privacy',
  'footer.selfHosted': 'Self-hosted by your organisation',
  'home.title': 'Calls with no one in between',
  'home.lead':
    'Porthello lets the members of your organisation take audio and video calls from a simple link, in the browser, with no app to install and no account needed to call.',
  'home.point.p2p.title': 'Browser to browser',
  'home.point.p2p.text':
    'Voice, video and chat go straight between the two people, encrypted end to end. Nothing of a call is recorded.',
  'home.point.link.title': 'A personal link',
  'home.point.link.text':
    'Each member gets a link to share. Whoever opens it types a name and rings, on a phone as well as on a computer.',
  'home.point.box.title': 'On your box, nowhere else',
  'home.point.box.text':
    'The service runs on your organisation’s server. No page contacts any other site: no external fonts, no analytics, no ads.',
  'error.title': 'Error',
  'error.notFound.title': 'Page not found',
  'error.notFound.text': 'This address leads nowhere. Check the link or go back to the home page.',
  'error.generic.title': 'Something went wrong',
  'error.generic.text': 'The service could not answer. Please try again in a moment.',
  'error.back': 'Back to the home page',
};
