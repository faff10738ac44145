// English for help.fr.ts (the reference); spread into en.ts.
import type { helpFr } from './help.fr.js';

export const helpEn: Readonly<Record<keyof typeof helpFr, string>> = {
  'help.title': 'Help',
  'help.lead': 'Answers to the questions that come up while using Porthello.',
  'help.contents': 'On this page',
  'help.link': 'Help',
  'help.link.calls': 'Help: the security code of calls, and more',
  'help.verify.title': 'The security code: check that nobody is listening in',
  'help.verify.what':
    'During a call, both of you see a security code of six digits, for example 482\u00a0913, under the name of the person you are talking to. It changes with every call.',
  'help.verify.why':
    'Your voice, your picture and the chat are encrypted from one browser to the other. The code is worked out from the encryption keys of your two browsers: if someone had placed themselves between you, even your organisation’s server, each of you would see a different code.',
  'help.verify.strength':
    'Six digits are enough: before the call even connects, the device that answers announces a fingerprint of its key, which yours checks. So someone placed between you cannot choose keys of their own that make your two codes alike; they have one chance in a million of managing it by luck.',
  'help.verify.step.read': 'Read your code aloud, digit by digit.',
  'help.verify.step.compare': 'The person you are talking to compares it with the one on their screen.',
  'help.verify.step.same': 'The two codes are the same: nobody is between you, carry on with your call.',
  'help.verify.differs':
    'If the codes differ, someone may be listening in. Hang up, and tell the technical staff of the organisation that runs this service. Do not compare the code over the call’s chat: whoever is listening could change it too. Compare it aloud, or by another means you already know, such as a phone call.',
  'help.verify.warning':
    'Instead of the code, the screen may show a warning: “someone may be listening in on this call”. Your browser found that the other side’s encryption key is not the one their device announced, or that it changed during the call: the connection does not, or no longer, lead to the person you are calling. No code is shown then, as it would prove nothing. Hang up without saying anything confidential and tell the technical staff.',
  'help.selftest.title': 'Test your connection before a call',
  'help.selftest.what':
    'The page /test (“Test my connection”) checks, step by step, your camera and microphone, the way to the server, and the server’s relay over each network protocol, then sends sound and picture through the relay and back. It says in plain words what works and what your network blocks.',
  'help.selftest.report':
    'If a step fails, copy the report it offers and send it to support: it holds only the results of the steps and your browser’s name, never your address.',
};
