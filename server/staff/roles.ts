// Who may do what: one function per capability, used by the services (which decide) and the
// routes and pages (which only show or hide). A capability check that fails throws the one
// refusal, 403 `forbidden`, whatever the capability.
import { ROLES, type Role } from '../contract/api.js';
import { forbidden } from '../errors.js';

export { ROLES, type Role };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Change roles, disable and enable accounts. */
export const canManageAccounts = (role: Role): boolean => role === 'admin';
/** See the list of accounts and their technical state (never a call log). */
export const canSeeAccounts = (role: Role): boolean => role === 'admin' || role === 'support';
/** Create, list and revoke invitations. */
export const canManageInvitations = (role: Role): boolean => role === 'admin';
/** Read and answer the support inbox. */
export const canAnswerSupport = (role: Role): boolean => role === 'admin' || role === 'support';
/** Write service announcements. */
export const canPublishNews = (role: Role): boolean => role === 'admin';
/** Aggregated statistics, never a person. */
export const canSeeStatistics = (role: Role): boolean => role === 'admin' || role === 'marketing';

/** Throws 403 `forbidden` unless the role has the capability. */
export function requireCapability(capability: (role: Role) => boolean, role: Role): void {
  if (!capability(role)) throw forbidden('forbidden', 'Your role does not allow this.');
}

/** Whether the header links to the staff pages (accounts, invitations, news, statistics). */
export const hasStaffPages = (role: Role): boolean => canSeeAccounts(role) || canManageInvitations(role) || canPublishNews(role) || canSeeStatistics(role);
