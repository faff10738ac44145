// The call screen's security code (public/ts/lib/call/verification-view.ts): the six digits
// both people read aloud. Spread into fr.ts; English in verify.en.ts.
export const verifyFr = {
  'client.call.verify.label': 'Code de sécurité :',
  'client.call.verify.hint': 'Lisez-le à voix haute : {name} doit voir le même. S’il diffère, quelqu’un écoute peut-être.',
  'client.call.verify.help': 'En savoir plus',
  'client.call.verify.newTab': 's’ouvre dans un nouvel onglet',
} as const;
