// The admin CLI's commands, one entry each: what it takes and what it does with the services of
// the running configuration. scripts/admin.ts parses the command line and runs one.
import type { AccountSummary } from '../server/contract/api.js';
import { parseSignup } from '../server/accounts/account-rules.js';
import { OPEN_SIGNUP } from '../server/accounts/signup-gate.js';
import type { AccountsModule } from '../server/accounts/accounts-module.js';
import { parseInvitation, parseRoleChange } from '../server/staff/admin-rules.js';
import { CLI_ACTOR } from '../server/staff/actor.js';
import type { StaffModule } from '../server/staff/staff-module.js';
import { UsageError } from './data-cli.js';

export type CommandContext = Readonly<{
  args: readonly string[];
  options: Readonly<Record<string, string | undefined>>;
  accounts: AccountsModule;
  staff: StaffModule;
  /** The first line of standard input (a password is never an argument: it would be in `ps`). */
  readLine(): Promise<string>;
  print(line: string): void;
}>;

export type Command = Readonly<{ usage: string; run(context: CommandContext): Promise<void> }>;

/** A number option as the schemas read it: digits become a number, anything else stays text to be refused. */
function numberOption(text: string | undefined): number | string | undefined {
  return text === undefined ? undefined : /^\d+$/.test(text) ? Number(text) : text;
}

function accountLine(account: AccountSummary): string {
  const state = account.disabledAt === null ? 'active' : `disabled ${account.disabledAt}`;
  return [
    account.email,
    account.role,
    state,
    `created ${account.createdAt}`,
    `last seen ${account.lastSeenAt ?? 'never'}`,
    `${account.firstName} ${account.lastName}`,
  ].join('\t');
}

function argument(context: CommandContext, index: number, name: string): string {
  const value = context.args[index];
  if (value === undefined) throw new UsageError(`missing ${name}`);
  return value;
}

function accountByEmail(context: CommandContext, email: string): AccountSummary {
  return context.staff.accountAdmin.byEmail(CLI_ACTOR, email.normalize('NFKC').toLowerCase().trim());
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  'create-admin': {
    usage: 'create-admin --email E --first-name F --last-name L --accept-policy   (password on standard input)',
    async run(context) {
      if (context.options['accept-policy'] === undefined)
        throw new UsageError('--accept-policy: the new admin accepts the privacy policy, like on the sign-up form');
      const password = await context.readLine();
      const input = parseSignup({
        email: context.options['email'],
        firstName: context.options['first-name'],
        lastName: context.options['last-name'],
        password,
        acceptPolicy: true,
      });
      const created = await context.accounts.accounts.createAccount(input, { gate: OPEN_SIGNUP, role: 'admin' });
      context.print(`admin account created for ${input.email} (id ${created.id})`);
    },
  },
  invite: {
    usage: 'invite [--uses N] [--days N] [--email E]',
    async run(context) {
      const email = context.options['email'];
      const input = parseInvitation({
        ...(context.options['uses'] === undefined ? {} : { maxUses: numberOption(context.options['uses']) }),
        ...(context.options['days'] === undefined ? {} : { expiresInDays: numberOption(context.options['days']) }),
        ...(email === undefined ? {} : { email }),
      });
      const created = context.staff.invitations.create(CLI_ACTOR, input);
      context.print(`invitation ${created.invitation.id}: ${created.invitation.maxUses} use(s), until ${created.invitation.expiresAt}`);
      context.print(created.url);
    },
  },
  'revoke-invite': {
    usage: 'revoke-invite ID',
    async run(context) {
      context.staff.invitations.revoke(CLI_ACTOR, argument(context, 0, 'the invitation id'));
      context.print('invitation revoked');
    },
  },
  'set-role': {
    usage: 'set-role EMAIL member|support|marketing|admin',
    async run(context) {
      const account = accountByEmail(context, argument(context, 0, 'the e-mail address'));
      const { role } = parseRoleChange({ role: argument(context, 1, 'the role') });
      context.print(accountLine(context.staff.accountAdmin.setRole(CLI_ACTOR, account.id, role)));
    },
  },
  disable: {
    usage: 'disable EMAIL',
    async run(context) {
      const account = accountByEmail(context, argument(context, 0, 'the e-mail address'));
      // Its sessions go with this transaction; the running server closes its sockets when it
      // next reads the disabled accounts (server/staff/disabled-watch.ts).
      context.print(accountLine(context.staff.accountAdmin.disable(CLI_ACTOR, account.id)));
    },
  },
  enable: {
    usage: 'enable EMAIL',
    async run(context) {
      const account = accountByEmail(context, argument(context, 0, 'the e-mail address'));
      context.print(accountLine(context.staff.accountAdmin.enable(CLI_ACTOR, account.id)));
    },
  },
  'list-accounts': {
    usage: 'list-accounts [SEARCH]',
    async run(context) {
      const { accounts, more } = context.staff.accountAdmin.list(CLI_ACTOR, context.args[0] ?? '');
      for (const account of accounts) context.print(accountLine(account));
      if (more) context.print('(more accounts match: narrow the search)');
    },
  },
  'password-link': {
    usage: 'password-link EMAIL',
    async run(context) {
      // For a member who lost their password when no e-mail is configured: the admin hands the
      // link over. Single use, valid an hour, like the e-mailed one.
      const account = accountByEmail(context, argument(context, 0, 'the e-mail address'));
      context.print(context.accounts.passwordReset.issueLinkFor(account.id));
    },
  },
};
