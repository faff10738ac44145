// French is the reference language: every key exists here first, and en.ts must match it.
export const fr = {
  'site.name': 'Porthello',
  'site.tagline': 'Appels vidéo privés, hébergés chez vous',
  'nav.home': 'Accueil',
  'nav.language': 'Langue',
  'nav.skip': 'Aller au contenu',
  'footer.privacy': 'Confidentialité',
  'footer.selfHosted': 'Service auto-hébergé par votre organisation',
  'home.title': 'Appeler sans intermédiaire',
  'home.lead':
    'Porthello permet aux membres de votre organisation de recevoir des appels audio et vidéo depuis un simple lien, dans le navigateur, sans installer d’application ni créer de compte pour appeler.',
  'home.point.p2p.title': 'De navigateur à navigateur',
  'home.point.p2p.text':
    'La voix, l’image et la discussion passent directement entre les deux personnes, chiffrées de bout en bout. Rien d’un appel n’est enregistré.',
  'home.point.link.title': 'Un lien personnel',
  'home.point.link.text':
    'Chaque membre reçoit un lien à partager. Qui l’ouvre saisit son nom et sonne, sur téléphone comme sur ordinateur.',
  'home.point.box.title': 'Chez vous, pas ailleurs',
  'home.point.box.text':
    'Le service tourne sur le serveur de votre organisation. Aucune page ne contacte un autre site : ni police externe, ni mesure d’audience, ni publicité.',
  'error.title': 'Erreur',
  'error.notFound.title': 'Page introuvable',
  'error.notFound.text': 'Cette adresse ne mène à rien. Vérifiez le lien ou revenez à l’accueil.',
  'error.generic.title': 'Un problème est survenu',
  'error.generic.text': 'Le service n’a pas pu répondre. Réessayez dans un instant.',
  'error.back': 'Revenir à l’accueil',
} as const;

export type MessageKey = keyof typeof fr;
