// Who runs this instance: the data controller the privacy page names. Empty values are allowed
// (a trial) and the page then says the organisation has not named itself.
import type { ConfigReader } from './config-reader.js';

/** A name, a postal address or a hosting location longer than this is certainly a mistake. */
const MAX_ORGANISATION_TEXT_LENGTH = 300;

export type OrganisationConfig = Readonly<{
  /** e.g. "Association Exemple"; empty when not configured. */
  name: string;
  /** An e-mail address or a postal address to write to about personal data; empty when not configured. */
  contact: string;
  /** Where the box runs, as the operator words it ("OVH, Roubaix, France"); empty when not stated. */
  hostingLocation: string;
}>;

export function readOrganisationConfig(reader: ConfigReader): OrganisationConfig {
  const text = (key: 'PORTHELLO_ORGANISATION_NAME' | 'PORTHELLO_ORGANISATION_CONTACT' | 'PORTHELLO_HOSTING_LOCATION'): string => {
    const value = reader.raw(key);
    // Shown on a public page: control characters would be invisible or break the layout.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (value.length > MAX_ORGANISATION_TEXT_LENGTH || /[\u0000-\u001f\u007f]/.test(value))
      reader.fail(key, `must be at most ${MAX_ORGANISATION_TEXT_LENGTH} characters on one line`);
    return value;
  };
  return Object.freeze({
    name: text('PORTHELLO_ORGANISATION_NAME'),
    contact: text('PORTHELLO_ORGANISATION_CONTACT'),
    hostingLocation: text('PORTHELLO_HOSTING_LOCATION'),
  });
}
