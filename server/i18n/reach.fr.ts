// "Qui peut m'appeler": ne pas déranger (maintenant ou selon un horaire de la semaine) et les
// personnes bloquées; la page, ses messages pour les scripts, l'aide et la politique de
// confidentialité. Étalé dans fr.ts.
export const reachFr = {
  'reach.title': 'Qui peut m’appeler',
  'reach.lead':
    'Choisissez quand on peut vous appeler et qui ne le peut plus. Une personne qui ne peut pas vous appeler entend seulement que vous n’êtes pas disponible, comme si vous n’étiez pas connecté : elle ne sait pas pourquoi.',
  'reach.back': 'Revenir aux appels',
  'reach.dnd.title': 'Ne pas déranger',
  'reach.dnd.now': 'Ne pas déranger maintenant',
  'reach.dnd.nowHint': 'Rien ne sonne jusqu’à ce que vous décochiez. Les appels arrivés entre-temps sont dans votre journal des appels, comme appels manqués.',
  'reach.schedule.title': 'Horaire de la semaine',
  'reach.schedule.days': 'Les jours où le calme commence',
  'reach.schedule.start': 'De',
  'reach.schedule.end': 'À',
  'reach.schedule.timeZone': 'Fuseau horaire',
  'reach.schedule.hint':
    'Par exemple de 22:00 à 07:00 : une fin avant le début va jusqu’au lendemain matin. Le même début et la même fin font la journée entière. Sans aucun jour coché, pas d’horaire.',
  'reach.schedule.save': 'Enregistrer l’horaire',
  'reach.day.mon': 'lundi',
  'reach.day.tue': 'mardi',
  'reach.day.wed': 'mercredi',
  'reach.day.thu': 'jeudi',
  'reach.day.fri': 'vendredi',
  'reach.day.sat': 'samedi',
  'reach.day.sun': 'dimanche',
  'reach.knock.title': 'Les invités frappent d’abord',
  'reach.knock.label': 'Les invités frappent avant d’entrer',
  'reach.knock.hint':
    'L’appel d’un invité arrive alors comme un « toc toc », avec son nom et un mot facultatif : vous le faites entrer ou vous refusez. Un invité refusé ne peut pas frapper de nouveau avant un moment. Les membres sonnent comme d’habitude.',
  'reach.blocks.title': 'Personnes bloquées',
  'reach.blocks.lead':
    'Un membre ou un invité bloqué entend que vous n’êtes pas disponible et votre téléphone ne sonne jamais pour lui. Pour bloquer quelqu’un, choisissez « Bloquer » quand il vous appelle, ou juste après son appel.',
  'reach.blocks.empty': 'Vous n’avez bloqué personne.',
  'reach.link': 'Qui peut m’appeler : ne pas déranger, personnes bloquées',
  'calls.incoming.block': 'Bloquer',
  'guest.knock.note': 'Un mot pour {name} (facultatif)',
  'guest.knock.hint': '{name} fait entrer les invités un par un : votre appel arrive avec votre nom et ce mot, {knockNoteMax} caractères au plus.',
  'client.guest.knocking': 'Vous frappez chez {name}… Attendez sa réponse.',
  'client.guest.knockRefused': '{name} ne vous a pas fait entrer. Vous pourrez frapper de nouveau plus tard.',
  'client.calls.knock.title': 'Un invité frappe',
  'client.calls.knock.letIn': 'Faire entrer',
  'client.calls.knock.refuse': 'Refuser',
  'client.reach.quietNow': 'Ne pas déranger est actif : les appels ne sonnent pas, on vous dit indisponible.',
  'client.reach.ringsNow': 'Les appels sonnent en ce moment.',
  'client.reach.kind.member': 'membre',
  'client.reach.kind.guest': 'invité, par votre lien d’appel',
  'client.reach.blockedOn': 'bloqué le {date}',
  'client.reach.unblock': 'Débloquer',
  'client.reach.unblockLabel': 'Débloquer {name}',
  'client.reach.unblocked': '{name} peut de nouveau vous appeler.',
  'client.reach.block': 'Bloquer {name}',
  'client.reach.blocked': '{name} est bloqué : ses appels ne sonneront plus. Vous pouvez le débloquer depuis « Qui peut m’appeler ».',
  'client.invalid_reach_settings': 'Vérifiez l’horaire : les heures au format 22:00 et un fuseau horaire connu.',
  'client.unknown_time_zone': 'Ce fuseau horaire n’est pas connu. Choisissez-en un dans la liste.',
  'client.too_many_blocks': 'Votre liste est pleine. Débloquez quelqu’un d’abord.',
  'client.unknown_guest': 'Cet invité ne peut plus être bloqué : son appel date de trop longtemps.',
  'client.cannot_block_self': 'Vous ne pouvez pas vous bloquer vous-même.',
  'help.reach.dnd.title': 'Ne pas déranger',
  'help.reach.dnd.text':
    'Sur la page « Qui peut m’appeler », cochez « Ne pas déranger maintenant », ou choisissez des jours et des heures dans votre fuseau horaire (par exemple du lundi au vendredi, de 22:00 à 07:00). Pendant ce temps rien ne sonne ; la personne qui appelle entend que vous n’êtes pas disponible, et l’appel apparaît dans votre journal des appels comme appel manqué. Un appel qui sonne au moment où ce temps calme commence cesse aussitôt de sonner, de la même façon.',
  'help.reach.knock.title': 'Faire frapper les invités',
  'help.reach.knock.text':
    'Sur la page « Qui peut m’appeler », cochez « Les invités frappent avant d’entrer ». Un invité qui ouvre votre lien d’appel peut alors vous laisser un mot court ; son appel arrive avec son nom et ce mot, et vous choisissez « Faire entrer » ou « Refuser ». Un invité refusé ne peut pas frapper de nouveau avant un moment.',
  'help.reach.block.title': 'Bloquer quelqu’un',
  'help.reach.block.text':
    'Quand un membre ou un invité vous appelle, ou juste après son appel, choisissez « Bloquer ». Ses appels ne sonnent plus jamais et il entend seulement que vous n’êtes pas disponible, exactement comme si vous n’étiez pas connecté : il n’apprend pas qu’il est bloqué. Un invité est bloqué pour la session de son navigateur sur votre lien d’appel ; s’il revient autrement, remplacez votre lien. La liste et le bouton « Débloquer » sont sur la page « Qui peut m’appeler ».',
  'policy.stored.doNotDisturb':
    'Vos réglages « ne pas déranger » (actif ou non, l’horaire de la semaine avec votre fuseau horaire) et si les invités frappent d’abord. Le mot d’un invité qui frappe n’est jamais conservé.',
  'policy.stored.blocked':
    'Les personnes que vous avez bloquées : un membre, ou le nom saisi par un invité avec un identifiant aléatoire de la session de son navigateur sur votre lien d’appel, et la date.',
  'policy.stored.blockedBy':
    'Si un autre membre vous a bloqué : son choix, effacé avec votre compte ou le sien. Il ne vous est pas communiqué : vous entendez seulement que ce membre n’est pas disponible.',
} as const;
