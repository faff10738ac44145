// The help page (/help): its frame and each section's title and paragraphs (server/help/
// help-sections.ts lists the sections). Spread into fr.ts; English in help.en.ts.
export const helpFr = {
  'help.title': 'Aide',
  'help.lead': 'Les réponses aux questions que l’on se pose en utilisant Porthello.',
  'help.contents': 'Sur cette page',
  'help.link': 'Aide',
  'help.link.calls': 'Aide : le code de sécurité des appels, et plus',
  'help.verify.title': 'Le code de sécurité : vérifier que personne n’écoute',
  'help.verify.what':
    'Pendant un appel, vous voyez tous les deux un code de sécurité de six chiffres, par exemple 482\u00a0913, sous le nom de la personne avec qui vous parlez. Il change à chaque appel.',
  'help.verify.why':
    'Votre voix, votre image et la discussion sont chiffrées d’un navigateur à l’autre. Le code est calculé à partir des clés de chiffrement de vos deux navigateurs : si quelqu’un s’était placé entre vous, même le serveur de votre organisation, chacun de vous verrait un code différent.',
  'help.verify.strength':
    'Six chiffres suffisent : avant même que l’appel s’établisse, l’appareil qui répond annonce une empreinte de sa clé, que le vôtre vérifie. Quelqu’un placé entre vous ne peut donc pas choisir ses propres clés pour que vos deux codes se ressemblent ; il n’a qu’une chance sur un million d’y parvenir par hasard.',
  'help.verify.step.read': 'Lisez votre code à voix haute, chiffre par chiffre.',
  'help.verify.step.compare': 'La personne avec qui vous parlez le compare avec celui de son écran.',
  'help.verify.step.same': 'Les deux codes sont identiques : personne n’est entre vous, continuez votre appel.',
  'help.verify.differs':
    'Si les codes sont différents, quelqu’un écoute peut-être. Raccrochez, et prévenez le service technique de l’organisation qui héberge ce service. Ne comparez pas le code par la discussion de l’appel : celui qui écoute pourrait aussi la modifier. Comparez-le de vive voix, ou par un autre moyen que vous connaissez déjà, comme un appel téléphonique.',
  'help.verify.warning':
    'À la place du code, l’écran peut afficher un avertissement : « quelqu’un pourrait écouter cet appel ». Votre navigateur a constaté que la clé de chiffrement de l’autre côté n’est pas celle que son appareil avait annoncée, ou qu’elle a changé pendant l’appel : la connexion ne mène pas, ou plus, à la personne que vous appelez. Aucun code ne s’affiche alors, car il ne prouverait rien. Raccrochez sans rien dire de confidentiel et prévenez le service technique.',
  'help.selftest.title': 'Tester votre connexion avant un appel',
  'help.selftest.what':
    'La page /test (« Tester ma connexion ») vérifie pas à pas votre caméra et votre micro, l’accès au serveur et au relais du serveur par chaque protocole réseau, puis fait passer le son et l’image par le relais et retour. Elle dit simplement ce qui marche et ce que votre réseau bloque.',
  'help.selftest.report':
    'Si une étape échoue, copiez le rapport proposé et envoyez-le au support : il ne contient que les résultats des étapes et le nom de votre navigateur, jamais votre adresse.',
} as const;
