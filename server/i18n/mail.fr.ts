// French strings of e-mail: the mails themselves, getting back in (forgotten password), address
// verification, news e-mails, and the privacy page's sections built from the configuration.
export const mailFr = {
  'mail.greeting': 'Bonjour,',
  'mail.signature': 'Porthello — {publicOrigin}',
  'mail.reset.subject': 'Choisir un nouveau mot de passe',
  'mail.reset.intro':
    'Quelqu’un, sans doute vous, a demandé un nouveau mot de passe pour le compte Porthello de cette adresse e-mail. Ouvrez ce lien pour le choisir ; il ne sert qu’une fois et expire dans {validity}.',
  'mail.reset.action': 'Choisir un nouveau mot de passe',
  'mail.reset.ignore': 'Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste le même.',
  'mail.verify.subject': 'Confirmer votre adresse e-mail',
  'mail.verify.intro':
    'Pour confirmer que cette adresse e-mail est bien la vôtre, ouvrez ce lien. Tant qu’elle n’est pas confirmée, personne ne peut vous appeler. Le lien expire dans {validity}.',
  'mail.verify.action': 'Confirmer mon adresse e-mail',
  'mail.verify.ignore': 'Si vous n’avez pas créé de compte, ignorez ce message.',
  'login.forgot': 'Mot de passe oublié ?',
  'forgot.title': 'Mot de passe oublié',
  'forgot.lead': 'Saisissez l’adresse e-mail de votre compte : nous y envoyons un lien pour choisir un nouveau mot de passe, valable {resetValidity}.',
  'forgot.noMail': 'Ce service n’envoie pas d’e-mails. Demandez à un administrateur de votre organisation un lien pour choisir un nouveau mot de passe.',
  'forgot.submit': 'Recevoir le lien',
  'reset.title': 'Nouveau mot de passe',
  'reset.lead': 'Choisissez votre nouveau mot de passe. Vos appareils connectés seront tous déconnectés.',
  'reset.submit': 'Enregistrer le mot de passe',
  'reset.again': 'Demander un nouveau lien',
  'verify.title': 'Confirmer votre adresse e-mail',
  'verify.lead': 'Confirmez que cette adresse e-mail est la vôtre : vous pourrez ensuite être appelé et apparaître dans la liste des membres.',
  'verify.submit': 'Confirmer mon adresse',
  'profile.news.title': 'Nouvelles du service',
  'profile.news.label': 'Recevoir par e-mail les nouvelles du service',
  'profile.news.hint': 'Jamais de publicité. Les e-mails nécessaires (mot de passe oublié, confirmation d’adresse) partent quel que soit ce choix.',
  'client.resetSent':
    'Si un compte utilise cette adresse, un e-mail vient de partir avec un lien valable {resetValidity}. Pensez à regarder dans les indésirables.',
  'client.passwordReset': 'Mot de passe enregistré. Connectez-vous avec le nouveau.',
  'client.invalid_link': 'Ce lien ne fonctionne plus : il a déjà servi, a expiré ou a été remplacé par un plus récent. Demandez-en un nouveau.',
  'client.emailVerified': 'Adresse e-mail confirmée. Vous pouvez maintenant être appelé.',
  'client.verify.banner':
    'Confirmez votre adresse e-mail avec le lien que nous vous avons envoyé. D’ici là, personne ne peut vous appeler, vous n’apparaissez pas dans la liste des membres et vous ne pouvez pas appeler.',
  'client.verify.resend': 'Renvoyer le lien',
  'client.verify.resent': 'Lien envoyé à {address}.',
  'client.too_many_mails': 'Trop d’e-mails demandés. Réessayez dans {seconds} s.',
  'client.too_many_requests': 'Trop de demandes depuis votre réseau. Réessayez dans {seconds} s.',
  'client.already_verified': 'Votre adresse e-mail est déjà confirmée.',
  'policy.changes.v20261130_3':
    'Le journal des appels garde aussi si un appel décroché est passé directement entre les deux navigateurs ou par le relais (jamais une adresse) ; les statistiques de l’organisation comptent la part des appels relayés.',
  'policy.changes.v20261130_2':
    'Les messages au support et leur durée de conservation, les annonces du service lues par un membre, le lieu d’hébergement du service, et les réglages « Ne pas déranger », « Les invités frappent d’abord » et « Personnes bloquées » (un blocage posé sur un membre ne lui est jamais montré).',
  'policy.changes.v20261130':
    'Le responsable du traitement est nommé ; la politique dit exactement ce qui est conservé et combien de temps (dont, dans le journal des appels, le nom saisi par un invité et la durée), le relais, les e-mails, les sauvegardes et les jetons d’effacement.',
  'policy.controller.title': 'Qui est responsable de vos données',
  'policy.controller.text': 'Le responsable du traitement est {organisationName}. Pour toute question sur vos données, écrivez à : {organisationContact}.',
  'policy.controller.nameOnly': 'Le responsable du traitement est {organisationName}.',
  'policy.controller.missing':
    'L’organisation qui gère ce service ne s’est pas encore nommée dans sa configuration : demandez à la personne qui vous a invité qui en est responsable.',
  'policy.hosting.title': 'Où le service est hébergé',
  'policy.hosting.text': 'Le serveur qui fait fonctionner ce service et garde ses données se trouve : {hostingLocation}.',
  'policy.hosting.missing': 'L’organisation qui gère ce service n’a pas indiqué où son serveur est hébergé : demandez-le au responsable du traitement.',
  'policy.stored.title': 'Exactement ce qui est conservé',
  'policy.stored.profile':
    'Votre compte : adresse e-mail, prénom, nom, l’empreinte bcrypt de votre mot de passe, la date de création et de dernière modification, si votre adresse e-mail est confirmée et si vous voulez les nouvelles du service par e-mail.',
  'policy.stored.picture': 'Votre photo de profil si vous en ajoutez une, en deux tailles, réencodée et sans métadonnées.',
  'policy.stored.consents': 'Les versions de cette politique que vous avez acceptées, et quand.',
  'policy.stored.sessions':
    'Vos appareils connectés : le type de navigateur et de système, l’heure de connexion et de dernière utilisation. Une session inutilisée pendant {sessionIdle} prend fin, et toute session au bout de {sessionMax} au plus.',
  'policy.stored.emailLinks':
    'Les liens envoyés par e-mail qui n’ont pas encore servi (nouveau mot de passe : {resetValidity} ; confirmation d’adresse : {verifyValidity}), sous forme d’empreinte ; un lien est effacé dès qu’il sert ou expire.',
  'policy.stored.callLink': 'Votre lien d’appel et ses deux réglages (appels des invités acceptés, passage par le relais).',
  'policy.stored.callLog':
    'Votre journal des appels : pour chaque appel reçu, ou passé à un autre membre, le jour et l’heure, le sens, le résultat (répondu, manqué, refusé, occupé), la durée, le nombre de sonneries, et l’autre personne (le membre, ou le nom saisi par l’invité). Les {callLogMax} plus récents sont gardés, jusqu’à ce que vous les effaciez. Jamais le contenu d’un appel ni d’adresse IP.',
  'policy.stored.inOtherMembersLogs':
    'Les appels entre vous et un autre membre figurent aussi dans son journal des appels ; si vous supprimez votre compte, ils y restent sans votre nom (« ancien membre »).',
  'policy.stored.invitationsCreated':
    'Pour l’équipe : les invitations que vous avez créées (l’adresse à laquelle l’une est destinée, le cas échéant, ses utilisations et son échéance) ; si vous supprimez votre compte, elles restent sans votre nom, et celles qui ont pris fin sont effacées après 30 jours.',
  'policy.stored.guestTicket': 'Pour un invité : un ticket d’appel de {guestTicket}, en mémoire seulement, qui ne sert qu’à établir l’appel.',
  'policy.relay.title': 'Le relais des appels',
  'policy.relay.embedded':
    'Quand deux navigateurs ne peuvent pas se joindre directement, l’appel passe par le relais de ce serveur. Il transmet des données chiffrées qu’il ne peut pas lire et n’en garde rien.',
  'policy.relay.external':
    'Quand deux navigateurs ne peuvent pas se joindre directement, l’appel passe par un relais géré par l’organisation sur un autre serveur ({relayHosts}). Il transmet des données chiffrées qu’il ne peut pas lire.',
  'policy.relay.none': 'Ce service n’a pas de relais : les appels passent seulement directement entre les deux navigateurs.',
  'policy.email.title': 'Les e-mails',
  'policy.email.on':
    'Ce service envoie des e-mails par le serveur d’envoi de l’organisation ({smtpHost}) : un lien pour confirmer votre adresse e-mail et, si vous le demandez, un lien pour choisir un nouveau mot de passe. Vous pouvez refuser les nouvelles du service par e-mail sur votre profil.',
  'policy.email.off': 'Ce service n’envoie aucun e-mail : votre adresse sert seulement à vous connecter.',
  'policy.backups.title': 'Les sauvegardes',
  'policy.backups.text':
    'Les sauvegardes faites par l’administrateur gardent une copie des données telles qu’elles étaient ce jour-là (par défaut, les {backupsKept} dernières). Quand vous supprimez votre compte, il ne reste sur le serveur qu’un jeton d’effacement : un code calculé à partir de l’identifiant interne du compte, qui ne contient ni votre nom, ni votre adresse, ni la date. Il sert à effacer de nouveau votre compte si une sauvegarde plus ancienne est restaurée.',
} as const;
