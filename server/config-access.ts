// Who may join: sign-up by invitation only (the default), freely from some e-mail domains, or
// open to anyone.
import type { ConfigReader } from './config-reader.js';

export const SIGNUP_MODES = ['invite', 'domains', 'open'] as const;
export type SignupMode = (typeof SIGNUP_MODES)[number];

/** A DNS name (RFC 1035 lengths), lower case, at least two labels: what follows the "@". */
const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type AccessConfig = Readonly<{
  signup: SignupMode;
  /** With `domains`: addresses at these domains (lower case) sign up without an invitation. */
  signupDomains: readonly string[];
}>;

export function readAccessConfig(reader: ConfigReader): AccessConfig {
  const mode = reader.raw('PORTHELLO_SIGNUP').toLowerCase();
  const isMode = (SIGNUP_MODES as readonly string[]).includes(mode);
  if (!isMode) reader.fail('PORTHELLO_SIGNUP', `must be one of ${SIGNUP_MODES.join(', ')}`);
  const domains = reader.list('PORTHELLO_SIGNUP_DOMAINS').map((domain) => domain.toLowerCase());
  if (domains.some((domain) => !DOMAIN_PATTERN.test(domain)))
    reader.fail('PORTHELLO_SIGNUP_DOMAINS', 'must be a comma-separated list of domain names, e.g. example.org,example.fr');
  if (mode === 'domains' && domains.length === 0) reader.fail('PORTHELLO_SIGNUP_DOMAINS', 'must name at least one domain when PORTHELLO_SIGNUP=domains');
  if (mode !== 'domains' && domains.length > 0) reader.fail('PORTHELLO_SIGNUP_DOMAINS', 'is only read when PORTHELLO_SIGNUP=domains');
  return Object.freeze({ signup: isMode ? (mode as SignupMode) : 'invite', signupDomains: Object.freeze(domains) });
}
