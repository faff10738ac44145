// The logged-in member's own data: /api/me and below. Every route requires a session and acts
// only on the session's member: there is no member id in these paths to tamper with.
import type { PasswordChanged, PictureReplaced, SessionList } from '../contract/api.js';
import { createRouter } from '../http/router.js';
import { notFound } from '../errors.js';
import { readSingleFile } from '../http/multipart.js';
import { requireMember, type SessionAuth } from '../http/session.js';
import type { Logger } from '../log.js';
import { MAX_PICTURE_BYTES } from '../media/pictures.js';
import { parsePasswordChange, parsePasswordConfirmation, parsePolicyAcceptance, parseProfileChange } from './account-rules.js';
import type { AccountService } from './account-service.js';
import type { AvatarService } from './picture-service.js';
import type { SessionService } from './session-service.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import type { EmailVerification } from './email-verification.js';
import type { ProfileRow } from './profile-store.js';

/** A part's fields of GET /api/me, presented from the row read for it (profile-store.ts). */
export type ProfileExtras = (memberId: string, stored: ProfileRow) => Readonly<Record<string, unknown>>;

export type MeRouteDeps = Readonly<{
  accounts: AccountService;
  sessions: SessionService;
  avatars: AvatarService;
  auth: SessionAuth;
  log: Logger;
  /** A changed address is verified again. */
  verification: Pick<EmailVerification, 'addressSet'>;
  /** What other parts add to GET /api/me (e-mail settings, the calls part's call link), from the one read of it. */
  profileExtras?: ProfileExtras;
}>;

export function meRoutes({ accounts, sessions, avatars, auth, log, verification, profileExtras }: MeRouteDeps): ApiRouteGroup {
  // Full paths, no prefix: a strict router would read a prefixed '/' route as '/me/' only.
  const router = createRouter();
  router.use('/me', (ctx, next) => {
    // Personal data: never stored by a browser or proxy cache.
    ctx.set('Cache-Control', 'no-store');
    requireMember(ctx);
    return next();
  });

  router.get('/me', (ctx) => {
    const { id } = requireMember(ctx);
    const { profile, stored } = accounts.ownProfile(id);
    ctx.body = { ...profile, ...profileExtras?.(id, stored) };
  });

  router.patch('/me', async (ctx) => {
    const change = parseProfileChange(ctx.state.body);
    const { id } = requireMember(ctx);
    const before = accounts.profile(id).email;
    const profile = await accounts.updateProfile(id, change, ctx.ip);
    if (profile.email !== before) verification.addressSet(id, ctx.state.locale);
    ctx.body = profile;
  });

  router.delete('/me', async (ctx) => {
    const member = requireMember(ctx);
    const { password } = parsePasswordConfirmation(ctx.state.body);
    await accounts.deleteAccount(member.id, password, ctx.ip);
    auth.clearCookie(ctx);
    log.info('auth', 'account deleted', { request_id: ctx.state.requestId });
    ctx.status = 204;
  });

  router.post('/me/password', async (ctx) => {
    const member = requireMember(ctx);
    const { currentPassword, newPassword } = parsePasswordChange(ctx.state.body);
    const endedSessions = await accounts.changePassword(member, currentPassword, newPassword, ctx.ip);
    log.info('auth', 'password changed', { request_id: ctx.state.requestId, ended: endedSessions });
    ctx.body = { endedSessions } satisfies PasswordChanged;
  });

  router.post('/me/policy', (ctx) => {
    parsePolicyAcceptance(ctx.state.body);
    ctx.body = accounts.acceptPolicy(requireMember(ctx).id);
  });

  router.get('/me/sessions', (ctx) => {
    ctx.body = { sessions: sessions.list(requireMember(ctx)) } satisfies SessionList;
  });

  router.delete('/me/sessions/:id', (ctx) => {
    const member = requireMember(ctx);
    const id = ctx.params['id'] ?? '';
    if (!sessions.end(member.id, id)) throw notFound('No such session.');
    if (id === member.sessionId) auth.clearCookie(ctx);
    ctx.status = 204;
  });

  router.put('/me/avatar', async (ctx) => {
    const member = requireMember(ctx);
    const upload = await readSingleFile(ctx.req, 'avatar', MAX_PICTURE_BYTES);
    ctx.body = { avatar: await avatars.replace(member.id, upload) } satisfies PictureReplaced;
  });

  router.delete('/me/avatar', async (ctx) => {
    await avatars.remove(requireMember(ctx).id);
    ctx.status = 204;
  });

  router.get('/me/export', async (ctx) => {
    const data = await accounts.exportData(requireMember(ctx).id);
    ctx.set('Content-Disposition', `attachment; filename="porthello-export-${new Date().toISOString().slice(0, 10)}.json"`);
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = JSON.stringify(data, null, 2);
  });

  return router;
}
