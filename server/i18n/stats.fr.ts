// Strings of the statistics page (French, the reference: stats.en.ts must have the same keys).
// Spread into fr.ts.
export const statsFr = {
  'stats.nav': 'Statistiques',
  'stats.title': 'Statistiques',
  'stats.lead':
    'Calculées sur ce serveur, à partir de sa base de données, sur les {statsDays} derniers jours et les {statsWeeks} dernières semaines (heure UTC ; une semaine commence le lundi). Jamais une personne : seulement des nombres, des parts et une médiane.',
  'stats.threshold':
    'Tout chiffre qui repose sur moins de {statsMinPeople} personnes est masqué et affiché « masqué », jamais 0 : un groupe plus petit pourrait être reconnu. Une période sans personne affiche 0.',
  'stats.activeDefinition':
    'Membre actif : un membre qui a passé un appel, ou en a décroché un, pendant ce jour ou cette semaine. Se connecter ne suffit pas : le service ne conserve pas la liste des connexions passées.',
  'stats.signups.title': 'Inscriptions par semaine',
  'stats.signups.note': 'Comptes encore existants, selon la semaine de leur création.',
  'stats.activeDay.title': 'Membres actifs par jour',
  'stats.activeWeek.title': 'Membres actifs par semaine',
  'stats.calls.title': 'Appels par jour',
  'stats.calls.note':
    'Appels reçus par les membres (d’un membre ou d’un invité), comptés une fois. Les personnes derrière un jour sont les membres qui ont reçu ces appels.',
  'stats.outcomes.title': 'Issue des appels ({statsDays} derniers jours)',
  'stats.median.title': 'Durée médiane des appels décrochés ({statsDays} derniers jours)',
  'stats.path.title': 'Relayés ou directs ({statsDays} derniers jours)',
  'stats.path.text':
    'Appels décrochés dont l’image et le son sont passés par le relais de ce serveur, ou directement entre les deux navigateurs, selon ce que les navigateurs ont indiqué une fois connectés (un appel passé par le relais à un moment compte comme relayé). Les appels dont le chemin n’a pas été indiqué ne sont pas comptés.',
  'client.stats.day': 'Jour',
  'client.stats.week': 'Semaine du',
  'client.stats.signups': 'Inscriptions',
  'client.stats.active': 'Membres actifs',
  'client.stats.calls': 'Appels',
  'client.stats.outcome': 'Issue',
  'client.stats.share': 'Part',
  'client.stats.outcome.answered': 'Décrochés',
  'client.stats.outcome.missed': 'Manqués',
  'client.stats.outcome.declined': 'Refusés',
  'client.stats.outcome.busy': 'Occupé',
  'client.stats.median': 'Durée médiane',
  'client.stats.noCalls': 'Aucun appel décroché sur la période.',
  'client.stats.path': 'Chemin',
  'client.stats.path.relayed': 'Par le relais',
  'client.stats.path.direct': 'Direct',
  'client.stats.path.none': 'Aucun appel décroché au chemin connu sur la période.',
  'client.stats.suppressed': 'masqué',
  'client.stats.suppressedLabel': 'masqué (moins de {min} personnes)',
  'client.stats.generated': 'Calculées le {date}.',
} as const;
