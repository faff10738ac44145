// A real SMTP server on loopback (the smtp-server package) that keeps what it receives, parsed
// by mailparser, so tests read the mails Porthello sent through nodemailer.
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitUntil, withTimeout } from './wait.js';

export type ReceivedMail = Readonly<{ to: string; from: string; subject: string; text: string; html: string; language: string }>;

export type TestSmtp = {
  /** smtp://user:password@127.0.0.1:port, for PORTHELLO_SMTP_URL. */
  url: string;
  readonly mails: ReceivedMail[];
  /** Log-ins the server refused (a wrong password). */
  readonly refusedLogins: number;
  /** Waits until `count` mails have arrived; returns the last one. */
  waitForMails(count: number): Promise<ReceivedMail>;
  /** Waits until a mail that `matches` has arrived; returns the latest such. */
  waitForMail(matches: (mail: ReceivedMail) => boolean, what: string): Promise<ReceivedMail>;
  close(): Promise<void>;
};

/** The first mail of a process loads nodemailer's and mailparser's lazy parts, which takes
 *  seconds on a loaded two-core box: mail waits are longer than other waits, still bounded. */
export const MAIL_WAIT_MS = 20_000;

export const SMTP_USER = 'porthello';
export const SMTP_PASSWORD = 'smtp-secret-Zq8vX';

export async function startTestSmtp(): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  let refusedLogins = 0;
  const server = new SMTPServer({
    secure: false,
    // Plain text on loopback only: nothing here crosses a network.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    // A reverse DNS lookup of 127.0.0.1 can hang for seconds on a box without a resolver.
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: SMTP_USER });
      else {
        refusedLogins += 1;
        callback(new Error('Invalid username or password'));
      }
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const addresses = (field: typeof parsed.to): string =>
            (Array.isArray(field) ? field : field === undefined ? [] : [field]).map((value) => value.text).join(', ');
          mails.push({
            to: addresses(parsed.to),
            from: addresses(parsed.from),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            language: /<html lang="(\w+)"/.exec(typeof parsed.html === 'string' ? parsed.html : '')?.[1] ?? '',
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())), 'the SMTP server to listen');
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
    mails,
    get refusedLogins() {
      return refusedLogins;
    },
    async waitForMails(count) {
      await waitUntil(() => mails.length >= count, `${count} mail(s) to arrive`, MAIL_WAIT_MS);
      return mails[count - 1] as ReceivedMail;
    },
    async waitForMail(matches, what) {
      await waitUntil(() => mails.some(matches), what, MAIL_WAIT_MS);
      return mails.filter(matches).at(-1) as ReceivedMail;
    },
    close: () => withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 'the SMTP server to close'),
  };
}

/** The link a mail carries (its only https/http URL), and the token in its fragment. */
export function linkOf(mail: ReceivedMail): { url: string; path: string; token: string } {
  const match = /https?:\/\/\S+#([A-Za-z0-9_-]+)/.exec(mail.text);
  if (match === null) throw new Error(`no link in the mail "${mail.subject}"`);
  const url = new URL(match[0]);
  return { url: match[0], path: url.pathname, token: match[1] ?? '' };
}
