// The support inbox's settings: how long a prospect's conversation (someone without an account
// who wrote through the contact form) is kept after its last message. Members' conversations
// are kept with their account and go with it.
import type { ConfigReader } from './config-reader.js';

/** A day at least: a purge sooner than the person could read the answer would be no service. */
const MIN_SUPPORT_RETENTION_DAYS = 1;
/** Ten years: past that, it is a typo rather than a retention period. */
const MAX_SUPPORT_RETENTION_DAYS = 3650;

export type SupportConfig = Readonly<{
  /** A prospect's conversation is erased this many days after its last message. */
  retentionDays: number;
}>;

export function readSupportConfig(reader: ConfigReader): SupportConfig {
  return Object.freeze({ retentionDays: reader.integer('PORTHELLO_SUPPORT_RETENTION_DAYS', MIN_SUPPORT_RETENTION_DAYS, MAX_SUPPORT_RETENTION_DAYS) });
}
