// The staff's work on accounts: search and read their technical state (support and admin),
// change a role, disable and enable (admin). Every function checks the actor's role itself.
import type { AccountList, AccountSummary, Role } from '../contract/api.js';
import { conflict, notFound } from '../errors.js';
import type { MemberEvents } from '../accounts/member-events.js';
import type { AccountAdminStore } from './account-admin-store.js';
import type { Actor } from './actor.js';
import { canManageAccounts, canSeeAccounts, requireCapability } from './roles.js';

/** A search answers at most this many accounts; the page asks for a narrower search past it. */
export const ACCOUNT_SEARCH_LIMIT = 50;
export const ACCOUNT_QUERY_MAX_LENGTH = 100;

export type AccountAdminService = ReturnType<typeof createAccountAdminService>;

export function createAccountAdminService(deps: { store: AccountAdminStore; events: MemberEvents; now?: () => number }) {
  const { store, events } = deps;
  const now = deps.now ?? Date.now;

  const accountOf = (id: string): AccountSummary => {
    const account = store.byId(id);
    if (account === undefined) throw notFound('No such account.');
    return account;
  };
  /** An instance keeps at least one admin who can log in: nobody could fix roles otherwise. */
  const keepAnAdmin = (account: AccountSummary): void => {
    if (account.role === 'admin' && account.disabledAt === null && store.activeAdminCount() <= 1)
      throw conflict('last_admin', 'This is the only admin: make another admin first.');
  };

  return {
    list(actor: Actor, query: string): AccountList {
      requireCapability(canSeeAccounts, actor.role);
      const found = store.search(query.trim().toLowerCase(), ACCOUNT_SEARCH_LIMIT + 1);
      return { accounts: found.slice(0, ACCOUNT_SEARCH_LIMIT), more: found.length > ACCOUNT_SEARCH_LIMIT };
    },

    /** The account of an e-mail address (the CLI names accounts by address). */
    byEmail(actor: Actor, email: string): AccountSummary {
      requireCapability(canSeeAccounts, actor.role);
      const account = store.byEmail(email);
      if (account === undefined) throw notFound('No account has this e-mail address.');
      return account;
    },

    setRole(actor: Actor, id: string, role: Role): AccountSummary {
      requireCapability(canManageAccounts, actor.role);
      const account = accountOf(id);
      if (account.role === role) return account;
      if (role !== 'admin') keepAnAdmin(account);
      store.setRole(id, role);
      return accountOf(id);
    },

    /** Disables the account: its sessions end, and with them its sockets and relay credentials. */
    disable(actor: Actor, id: string): AccountSummary {
      requireCapability(canManageAccounts, actor.role);
      const account = accountOf(id);
      if (account.id === actor.id) throw conflict('cannot_disable_self', 'You cannot disable your own account.');
      if (account.disabledAt !== null) return account;
      keepAnAdmin(account);
      const ended = store.disable(id, new Date(now()).toISOString());
      events.sessionsEnded(id, ended);
      events.memberDisabled(id);
      return accountOf(id);
    },

    enable(actor: Actor, id: string): AccountSummary {
      requireCapability(canManageAccounts, actor.role);
      accountOf(id);
      store.enable(id);
      return accountOf(id);
    },
  };
}
