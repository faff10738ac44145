// Invitations: an admin (or the CLI) creates a code for one or many sign-ups, until a date,
// optionally for one address; sign-up checks and uses it. Codes are random and only their hash
// is stored, like session tokens.
import { randomBytes } from 'node:crypto';
import type { InvitationCreated, InvitationState, InvitationView } from '../contract/api.js';
import { AppError, conflict, forbidden, notFound } from '../errors.js';
import { hashToken } from '../accounts/session-service.js';
import type { InvitationRow, InvitationStore } from './invitation-store.js';
import { canManageInvitations, requireCapability } from './roles.js';
import type { Actor } from './actor.js';

/** 144 bits: unguessable, and 24 characters in a link. */
const INVITE_CODE_BYTES = 18;
const INVITATION_ID_BYTES = 12;

/**
 * An invitation's id, typed by sysadmins in `npm run admin -- revoke-invite ID`: never starting
 * with "-", which the command line would read as an option (one random id in 64 would).
 */
function newInvitationId(): string {
  const id = randomBytes(INVITATION_ID_BYTES).toString('base64url');
  return id.startsWith('-') ? `A${id.slice(1)}` : id;
}
export const INVITE_CODE_PATTERN = /^[A-Za-z0-9_-]{24}$/;
/** Bounds of what an admin may ask: a multi-use invitation is for a team, not the Internet. */
export const MAX_INVITATION_USES = 1000;
export const MAX_INVITATION_DAYS = 90;
export const DEFAULT_INVITATION_DAYS = 7;
/** Ended invitations stay listed this long (the admin sees what happened), then are deleted. */
const ENDED_INVITATIONS_KEPT_DAYS = 30;
/** The admin page lists at most this many, newest first. */
const LISTED_INVITATIONS = 200;
const DAY_MS = 24 * 3600_000;

export type NewInvitation = Readonly<{ maxUses: number; expiresInDays: number; email: string | null }>;

export type InvitationService = ReturnType<typeof createInvitationService>;

/** The path of the sign-up page that fills the code in. */
export function invitationPath(code: string): string {
  return `/signup?invite=${encodeURIComponent(code)}`;
}

export function createInvitationService(deps: { store: InvitationStore; publicOrigin: string; now?: () => number }) {
  const { store, publicOrigin } = deps;
  const now = deps.now ?? Date.now;
  const iso = (ms: number): string => new Date(ms).toISOString();

  const stateOf = (row: InvitationRow, at: number): InvitationState =>
    row.revokedAt !== null ? 'revoked' : row.uses >= row.maxUses ? 'used' : Date.parse(row.expiresAt) <= at ? 'expired' : 'active';

  const view = (row: InvitationRow, at: number): InvitationView => ({
    id: row.id,
    email: row.email,
    bound: row.bound === 1,
    maxUses: row.maxUses,
    uses: row.uses,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
    state: stateOf(row, at),
  });

  const purge = (at: number): void => {
    store.purgeEndedBefore(iso(at - ENDED_INVITATIONS_KEPT_DAYS * DAY_MS));
  };

  /** Why a code cannot be used by this address, as a 403 with a precise code; the row otherwise. */
  const usable = (code: string, email: string, at: number): InvitationRow => {
    const row = INVITE_CODE_PATTERN.test(code) ? store.byCodeHash(hashToken(code)) : undefined;
    if (row === undefined) throw forbidden('invitation_invalid', 'This invitation code is not valid.');
    const state = stateOf(row, at);
    if (state === 'revoked') throw forbidden('invitation_revoked', 'This invitation was withdrawn.');
    if (state === 'used') throw forbidden('invitation_used', 'This invitation has already been used.');
    if (state === 'expired') throw forbidden('invitation_expired', 'This invitation has expired.');
    if (row.bound === 1 && row.email !== email) throw forbidden('invitation_other_address', 'This invitation is for another e-mail address.');
    return row;
  };

  return {
    create(actor: Actor, input: NewInvitation): InvitationCreated {
      requireCapability(canManageInvitations, actor.role);
      const at = now();
      purge(at);
      const code = randomBytes(INVITE_CODE_BYTES).toString('base64url');
      const id = newInvitationId();
      store.insert({
        id,
        codeHash: hashToken(code),
        email: input.email,
        maxUses: input.maxUses,
        expiresAt: iso(at + input.expiresInDays * DAY_MS),
        createdBy: actor.id,
        createdAt: iso(at),
      });
      const row = store.byId(id);
      if (row === undefined) throw new AppError('internal', 'internal', 'The invitation was not stored.');
      return { invitation: view(row, at), code, url: publicOrigin + invitationPath(code) };
    },

    list(actor: Actor): InvitationView[] {
      requireCapability(canManageInvitations, actor.role);
      const at = now();
      purge(at);
      return store.list(LISTED_INVITATIONS).map((row) => view(row, at));
    },

    revoke(actor: Actor, id: string): void {
      requireCapability(canManageInvitations, actor.role);
      if (store.byId(id) === undefined) throw notFound('No such invitation.');
      if (!store.revoke(id, iso(now()))) throw conflict('already_revoked', 'This invitation was already withdrawn.');
    },

    /**
     * Throws a 403 unless the code may be used by this address now; returns what uses it up,
     * to run in the new account's transaction (it throws when the last use went meanwhile).
     */
    admit(code: string, email: string): () => void {
      const row = usable(code, email, now());
      return () => {
        if (store.use(row.id, iso(now()))) return;
        // Lost a race for it: say why it is no longer usable.
        usable(code, email, now());
        throw forbidden('invitation_used', 'This invitation has already been used.');
      };
    },
  };
}
