// What the privacy page states about this very instance, read from the live configuration and
// the code's own constants: who is responsible, what is stored (one line per table of the
// member-data registry, so a new table cannot be left off the page), for how long, whether
// calls may cross a relay and which, whether e-mail is sent and through which server, and what
// backups and erasure tokens keep. The page cannot claim what this instance does not do.
import { GUEST_TICKET_TTL_MS } from '../calls/guest-tickets.js';
import type { Config } from '../config.js';
import { DEFAULT_BACKUPS_KEPT } from '../db/backup.js';
import { MEMBER_DATA_TABLES } from '../db/member-data.js';
import { escapeHtml } from '../http/pages.js';
import { formatDuration } from '../i18n/durations.js';
import { isMessageKey, type Locale, type MessageKey, translate } from '../i18n/index.js';
import { EMAIL_VERIFICATION_LINK_LIFETIME_MS } from './email-verification.js';
import { PASSWORD_RESET_LINK_LIFETIME_MS } from './password-reset.js';

const DAY_MS = 24 * 3600_000;

export type PrivacyFacts = Readonly<{
  organisation: Config['organisation'];
  sessionIdleMs: number;
  sessionMaxMs: number;
  callLogMaxEntries: number;
  relay: Readonly<{ kind: 'embedded' } | { kind: 'external'; hosts: readonly string[] } | { kind: 'none' }>;
  /** The host mail goes through; null when no e-mail is sent. Never the URL: it holds the password. */
  smtpHost: string | null;
  /** Days a prospect's support conversation is kept after its last message. */
  supportRetentionDays: number;
}>;

export function privacyFactsOf(config: Config): PrivacyFacts {
  const external = config.turn.external;
  return {
    organisation: config.organisation,
    sessionIdleMs: config.accounts.sessionIdleMs,
    sessionMaxMs: config.accounts.sessionMaxMs,
    callLogMaxEntries: config.calls.callLogMaxEntries,
    relay:
      external !== null
        ? { kind: 'external', hosts: [...new Set(external.urls.map((url) => url.replace(/^turns?:/, '').replace(/(:\d+)?(\?.*)?$/, '')))] }
        : config.turn.port === 0
          ? { kind: 'none' }
          : { kind: 'embedded' },
    smtpHost: config.mail.smtp?.host ?? null,
    supportRetentionDays: config.support.retentionDays,
  };
}

/** The key of the page line describing a registry entry's rows. */
export function storedLineKey(exportKey: string): string {
  return `policy.stored.${exportKey}`;
}

/** The privacy page's values: plain ones (escaped by the template) and the stored-data list (HTML). */
export function privacyPageVars(locale: Locale, facts: PrivacyFacts): Record<string, string> {
  const values: Record<string, string> = {
    sessionIdle: formatDuration(locale, facts.sessionIdleMs),
    sessionMax: formatDuration(locale, facts.sessionMaxMs),
    resetValidity: formatDuration(locale, PASSWORD_RESET_LINK_LIFETIME_MS),
    verifyValidity: formatDuration(locale, EMAIL_VERIFICATION_LINK_LIFETIME_MS),
    guestTicket: formatDuration(locale, GUEST_TICKET_TTL_MS),
    callLogMax: new Intl.NumberFormat(locale).format(facts.callLogMaxEntries),
    backupsKept: String(DEFAULT_BACKUPS_KEPT),
    organisationName: facts.organisation.name,
    organisationContact: facts.organisation.contact,
    relayHosts: facts.relay.kind === 'external' ? facts.relay.hosts.join(', ') : '',
    smtpHost: facts.smtpHost ?? '',
    supportRetention: formatDuration(locale, facts.supportRetentionDays * DAY_MS),
  };
  const say = (key: MessageKey): string => translate(locale, key).replace(/\{(\w+)\}/g, (slot, name: string) => values[name] ?? slot);
  // The picture is a file, not a table: its line comes right after the account's.
  const storedKeys = [...new Set(MEMBER_DATA_TABLES.map((entry) => entry.exportKey))].flatMap((exportKey) =>
    exportKey === 'profile' ? [storedLineKey(exportKey), 'policy.stored.picture'] : [storedLineKey(exportKey)],
  );
  // Prospects of the contact form have no account: their line follows the members' data.
  const storedList = [...storedKeys, 'policy.stored.guestTicket', 'policy.stored.supportProspect']
    .map((key) => {
      if (!isMessageKey(key)) throw new Error(`the privacy page has no line for ${key}`);
      return `<li>${escapeHtml(say(key))}</li>`;
    })
    .join('');
  const { name, contact } = facts.organisation;
  return {
    ...values,
    controllerText: say(name === '' ? 'policy.controller.missing' : contact === '' ? 'policy.controller.nameOnly' : 'policy.controller.text'),
    storedList,
    relayText: say(`policy.relay.${facts.relay.kind}`),
    emailText: say(facts.smtpHost === null ? 'policy.email.off' : 'policy.email.on'),
    backupsText: say('policy.backups.text'),
  };
}
