// Sending e-mail: the only module that imports nodemailer. Sending never blocks a request and
// never throws: a failure is logged with its technical code only (no address, no link, no
// server reply that could echo either), and the caller goes on. Without SMTP nothing is sent.
import nodemailer from 'nodemailer';
import type { MailConfig } from '../config-mail.js';
import type { Logger } from '../log.js';

/** A mail server that does not answer within these is down for this mail; the next one tries again. */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;
/** Mails being sent at once; the rest wait in nodemailer's pool. */
const MAX_CONNECTIONS = 2;

export type Mail = Readonly<{
  to: string;
  subject: string;
  text: string;
  html: string;
}>;

export type Mailer = {
  /** Whether mail leaves the box at all (PORTHELLO_SMTP_URL is set). */
  readonly isConfigured: boolean;
  /** Sends in the background; resolves true once the server took it, false when it failed or
   *  nothing is configured. Never rejects. `kind` names the mail in the log ("password_reset"). */
  send(mail: Mail, kind: string): Promise<boolean>;
  close(): void;
};

export function createMailer(config: MailConfig, log: Logger): Mailer {
  const smtp = config.smtp;
  if (smtp === null) {
    return { isConfigured: false, send: async () => false, close() {} };
  }
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: MAX_CONNECTIONS,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    ...(smtp.auth === null ? {} : { auth: { user: smtp.auth.user, pass: smtp.auth.pass } }),
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    // nodemailer's own logger would print addresses and the conversation: off.
    logger: false,
    debug: false,
  });
  return {
    isConfigured: true,
    async send(mail, kind) {
      try {
        await transport.sendMail({
          from: config.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          // No tracking, no remote content: the mail stands alone.
          disableUrlAccess: true,
          disableFileAccess: true,
        });
        log.info('mail', 'mail sent', { kind });
        return true;
      } catch (error) {
        const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
        log.error('mail', 'mail not sent', {
          kind,
          code: typeof code === 'string' ? code : 'error',
          smtp_status: typeof responseCode === 'number' ? responseCode : null,
        });
        return false;
      }
    },
    close() {
      transport.close();
    },
  };
}
