// The call screen's security code (public/ts/lib/call/verification-view.ts): the six digits
// both people read aloud. Spread into fr.ts; English in verify.en.ts.
export const verifyFr = {
  'client.call.verify.label': 'Code de sécurité :',
  'client.call.verify.hint': 'Lisez-le à voix haute : {name} doit voir le même. S’il diffère, quelqu’un écoute peut-être.',
  'client.call.verify.help': 'En savoir plus',
  'client.call.verify.newTab': 's’ouvre dans un nouvel onglet',
  // The other side's certificate is not the one its device announced (verification.ts): no code is shown.
  'client.call.verify.warningTitle': 'Attention : quelqu’un pourrait écouter cet appel',
  'client.call.verify.warningCommitment':
    'La connexion ne mène pas à l’appareil de {name} : sa clé de chiffrement n’est pas celle que cet appareil avait annoncée. Aucun code de sécurité ne peut le garantir. Raccrochez, ne dites rien de confidentiel, et prévenez l’administrateur du service.',
  'client.call.verify.warningChanged':
    'La clé de chiffrement de {name} a changé pendant l’appel : la connexion ne mène peut-être plus à son appareil. Raccrochez, ne dites rien de confidentiel, et prévenez l’administrateur du service.',
  // This browser could not make the certificate a call needs (certificate.ts).
  'client.call.keyFailed': 'Ce navigateur n’a pas pu préparer le chiffrement de l’appel. Réessayez, ou utilisez un autre navigateur.',
} as const;
