// Strings of the statistics page (English). Spread into en.ts; the keys are stats.fr.ts's.
import type { statsFr } from './stats.fr.js';

export const statsEn: Readonly<Record<keyof typeof statsFr, string>> = {
  'stats.nav': 'Statistics',
  'stats.title': 'Statistics',
  'stats.lead':
    'Computed on this server, from its database, over the last {statsDays} days and {statsWeeks} weeks (UTC; a week starts on Monday). Never a person: only counts, shares and a median.',
  'stats.threshold':
    'Any figure resting on fewer than {statsMinPeople} people is withheld and shown as “withheld”, never as 0: a smaller group could be recognised. A period with nobody in it shows 0.',
  'stats.activeDefinition':
    'Active member: a member who made a call, or answered one, during that day or week. Logging in is not enough: the service keeps no record of past log-ins.',
  'stats.signups.title': 'Sign-ups per week',
  'stats.signups.note': 'Accounts that still exist, by the week they were created.',
  'stats.activeDay.title': 'Active members per day',
  'stats.activeWeek.title': 'Active members per week',
  'stats.calls.title': 'Calls per day',
  'stats.calls.note': 'Calls received by members (from a member or a guest), counted once. The people behind a day are the members who received those calls.',
  'stats.outcomes.title': 'Outcome of the calls (last {statsDays} days)',
  'stats.median.title': 'Median length of answered calls (last {statsDays} days)',
  'stats.path.title': 'Relayed or direct (last {statsDays} days)',
  'stats.path.text':
    'Answered calls whose media went through this server’s relay, or straight between the two browsers, as the browsers reported once connected (a call that went through the relay at any moment counts as relayed). Calls whose path was not reported are left out.',
  'client.stats.day': 'Day',
  'client.stats.week': 'Week of',
  'client.stats.signups': 'Sign-ups',
  'client.stats.active': 'Active members',
  'client.stats.calls': 'Calls',
  'client.stats.outcome': 'Outcome',
  'client.stats.share': 'Share',
  'client.stats.outcome.answered': 'Answered',
  'client.stats.outcome.missed': 'Missed',
  'client.stats.outcome.declined': 'Declined',
  'client.stats.outcome.busy': 'Busy',
  'client.stats.median': 'Median length',
  'client.stats.noCalls': 'No answered call in this period.',
  'client.stats.path': 'Path',
  'client.stats.path.relayed': 'Through the relay',
  'client.stats.path.direct': 'Direct',
  'client.stats.path.none': 'No answered call with a reported path in this period.',
  'client.stats.suppressed': 'withheld',
  'client.stats.suppressedLabel': 'withheld (fewer than {min} people)',
  'client.stats.generated': 'Computed on {date}.',
} as const;
