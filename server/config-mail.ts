// E-mail settings: an SMTP server to send through, and the sender address. Both empty: no
// e-mail at all, and everything stays in the app (reset links are handed over by an admin,
// addresses count as verified). The SMTP password never appears in a problem line or a log.
import { isIP } from 'node:net';
import { type ConfigReader, MAX_PORT } from './config-reader.js';

/** The ports SMTP uses when the URL names none: 465 for implicit TLS, 587 for submission. */
const SMTPS_DEFAULT_PORT = 465;
const SUBMISSION_DEFAULT_PORT = 587;
/** RFC 5321's limit on an address. */
const MAX_ADDRESS_LENGTH = 254;
/** A display name longer than this in a From header is certainly a mistake. */
const MAX_DISPLAY_NAME_LENGTH = 100;

export type SmtpServer = Readonly<{
  host: string;
  port: number;
  /** Implicit TLS (smtps://); otherwise STARTTLS, required unless the host is loopback. */
  secure: boolean;
  requireTls: boolean;
  auth: Readonly<{ user: string; pass: string }> | null;
}>;

export type MailConfig = Readonly<{
  /** null: no e-mail is sent, ever. */
  smtp: SmtpServer | null;
  /** The From header, "Name <address>" or a bare address; empty when smtp is null. */
  from: string;
}>;

export function readMailConfig(reader: ConfigReader): MailConfig {
  const url = reader.raw('PORTHELLO_SMTP_URL');
  const from = reader.raw('PORTHELLO_MAIL_FROM');
  if (url === '') {
    if (from !== '') reader.fail('PORTHELLO_MAIL_FROM', 'is only used with PORTHELLO_SMTP_URL: set both or neither');
    return Object.freeze({ smtp: null, from: '' });
  }
  const smtp = parseSmtpUrl(url);
  // The URL holds the password: the problem line names the key, never the value.
  if (typeof smtp === 'string') reader.problem(`PORTHELLO_SMTP_URL: ${smtp}`);
  if (from === '') reader.problem('PORTHELLO_MAIL_FROM: is required with PORTHELLO_SMTP_URL (the address mail is sent from)');
  else if (!isFromHeader(from)) reader.fail('PORTHELLO_MAIL_FROM', 'must be an e-mail address, or "Name <address>"');
  return Object.freeze({ smtp: typeof smtp === 'string' ? null : smtp, from });
}

/** The server from an smtp:// or smtps:// URL, or why it is not one (without the URL's secrets). */
export function parseSmtpUrl(text: string): SmtpServer | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL such as smtps://user:password@mail.example.org:465';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return 'must start with smtp:// or smtps://';
  if (url.hostname === '') return 'must name the mail server';
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '')
    return 'must be smtp(s)://[user:password@]host[:port] with nothing after';
  const secure = url.protocol === 'smtps:';
  const port = url.port === '' ? (secure ? SMTPS_DEFAULT_PORT : SUBMISSION_DEFAULT_PORT) : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > MAX_PORT) return `must have a port from 1 to ${MAX_PORT}`;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let user: string;
  let pass: string;
  try {
    user = decodeURIComponent(url.username);
    pass = decodeURIComponent(url.password);
  } catch {
    return 'has a user name or password that is not valid percent-encoding';
  }
  if (user === '' && pass !== '') return 'has a password without a user name';
  return Object.freeze({
    host,
    port,
    secure,
    // A password must never cross the network in clear: plain smtp:// needs STARTTLS, except
    // to a relay on this very box (a local Postfix), where nothing crosses a network.
    requireTls: !secure && !isLoopback(host),
    auth: user === '' ? null : Object.freeze({ user, pass }),
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function isFromHeader(text: string): boolean {
  const named = /^([^<>"\r\n]{1,200})\s<([^<>\s]+)>$/.exec(text);
  const address = named === null ? text : (named[2] ?? '');
  if (named !== null && (named[1] ?? '').trim().length > MAX_DISPLAY_NAME_LENGTH) return false;
  return address.length <= MAX_ADDRESS_LENGTH && /^[^\s@<>]+@[^\s@<>.]+(\.[^\s@<>.]+)+$/.test(address);
}
