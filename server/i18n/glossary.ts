// The words Porthello uses for its own things, one per idea and per language, so every page
// says the same thing the same way. test/i18n.test.ts refuses the variants listed as `not`.
// Add a term here before using a new word for an existing idea.

export type GlossaryTerm = Readonly<{
  idea: string;
  fr: string;
  en: string;
  /** Variants that must not appear (whole words, any case), by language. */
  not: Readonly<{ fr?: readonly string[]; en?: readonly string[] }>;
}>;

export const GLOSSARY: readonly GlossaryTerm[] = [
  { idea: 'someone with an account in the organisation', fr: 'membre', en: 'member', not: { fr: ['utilisateur', 'utilisatrice', 'abonné'], en: ['user'] } },
  {
    idea: 'someone who calls from a link without an account',
    fr: 'invité',
    en: 'guest',
    not: { fr: ['visiteur', 'visiteuse', 'anonyme'], en: ['visitor', 'anonymous'] },
  },
  { idea: "a member's personal address that guests open to ring them", fr: 'lien d’appel', en: 'call link', not: { fr: ['URL'], en: ['URL'] } },
  { idea: 'taking an incoming call', fr: 'répondre', en: 'answer', not: { fr: ['décrocher', 'accepter l’appel'], en: ['pick up', 'accept the call'] } },
  { idea: 'ending a call in progress', fr: 'raccrocher', en: 'hang up', not: { fr: ['terminer l’appel'], en: ['end the call'] } },
  { idea: 'the list of past calls', fr: 'journal des appels', en: 'call log', not: { fr: ['historique'], en: ['history', 'call history'] } },
  { idea: 'an electronic mail address', fr: 'adresse e-mail', en: 'e-mail address', not: { fr: ['courriel', 'mail'], en: ['email', 'mail address'] } },
  { idea: 'the TURN server that carries media when no direct path exists', fr: 'relais', en: 'relay', not: { fr: ['proxy'], en: ['proxy'] } },
  { idea: 'the two-way text exchanged during a call', fr: 'discussion', en: 'chat', not: { fr: ['tchat', 'messagerie'], en: ['messaging'] } },
  {
    idea: 'the six digits both people of a call read aloud to check that nobody is in between',
    fr: 'code de sécurité',
    en: 'security code',
    not: { fr: ['code de vérification', 'numéro de sécurité'], en: ['verification code', 'safety number'] },
  },
];
