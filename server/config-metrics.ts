// Who may read GET /metrics: a scraper presenting the bearer token, or one connecting from a
// listed address. With neither set the endpoint does not exist (404).
import { addressRuleProblem } from './address-list.js';
import type { ConfigReader } from './config-reader.js';

/** A bearer token shorter than this could be guessed by an Internet scanner. */
const MIN_METRICS_TOKEN_LENGTH = 32;

export type MetricsConfig = Readonly<{
  /** null: no token is accepted. */
  token: string | null;
  /** Addresses or CIDRs whose direct connections may read the metrics without a token. */
  allow: readonly string[];
}>;

export function readMetricsConfig(reader: ConfigReader): MetricsConfig {
  const token = reader.raw('PORTHELLO_METRICS_TOKEN');
  // The token's value never goes into an error message.
  if (token !== '' && token.length < MIN_METRICS_TOKEN_LENGTH)
    reader.problem(`PORTHELLO_METRICS_TOKEN: must be at least ${MIN_METRICS_TOKEN_LENGTH} characters`);
  if (token !== '' && !/^[\x21-\x7e]+$/.test(token)) reader.problem('PORTHELLO_METRICS_TOKEN: must be printable ASCII without spaces');
  const allow = reader.list('PORTHELLO_METRICS_ALLOW');
  if (allow.some((rule) => addressRuleProblem(rule) !== null))
    reader.fail('PORTHELLO_METRICS_ALLOW', 'must be a comma-separated list of IP addresses or CIDRs');
  return Object.freeze({ token: token === '' ? null : token, allow: Object.freeze(allow) });
}
