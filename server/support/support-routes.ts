// The support API.
//   POST /api/support/messages {email, name, subject, message, website}   201 {reference}  (anyone)
//   GET  /api/support/conversations                                       a member's own
//   GET  /api/support/conversations/:reference                            one of them, with its messages
//   POST /api/support/conversations/:reference/messages {message}         201, the member answers
//   GET  /api/admin/support/conversations[?state=open|answered|closed|all][&after=<next>] a page of the inbox (support, admin)
//   GET  /api/admin/support/conversations/:reference                      one conversation
//   POST /api/admin/support/conversations/:reference/replies {message}    201, a staff reply
//   POST /api/admin/support/conversations/:reference/close                200
// Handlers validate and call the service, which checks roles. No message body, address or name
// is ever logged.
import type { ApiRouteGroup } from '../http/api-router.js';
import type { AppContext } from '../http/context.js';
import { createRouter } from '../http/router.js';
import { requireMember } from '../http/session.js';
import type { Logger } from '../log.js';
import type { Actor } from '../staff/actor.js';
import { parseContactMessage, parseInboxCursor, parseReply, parseStateFilter } from './support-rules.js';
import type { SupportService } from './support-service.js';

const actorOf = (ctx: AppContext): Actor => {
  const member = requireMember(ctx);
  return { id: member.id, role: member.role };
};
const referenceOf = (ctx: AppContext): string => ctx.params['reference'] ?? '';

export function supportRoutes({ support, log }: Readonly<{ support: SupportService; log: Logger }>): ApiRouteGroup {
  const router = createRouter();
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.post('/support/messages', (ctx) => {
    const input = parseContactMessage(ctx.state.body);
    ctx.body = support.submit(input, { address: ctx.ip, memberId: ctx.state.member?.id ?? null, locale: ctx.state.locale });
    ctx.status = 201;
    log.info('support', 'contact message accepted', { request_id: ctx.state.requestId });
  });

  router.get('/support/conversations', (ctx) => {
    ctx.body = support.mine(requireMember(ctx).id);
  });

  router.get('/support/conversations/:reference', (ctx) => {
    ctx.body = support.readMine(requireMember(ctx).id, referenceOf(ctx));
  });

  router.post('/support/conversations/:reference/messages', (ctx) => {
    const member = requireMember(ctx);
    const { message } = parseReply(ctx.state.body);
    ctx.body = support.replyMine(member.id, referenceOf(ctx), message);
    ctx.status = 201;
  });

  router.get('/admin/support/conversations', (ctx) => {
    const actor = actorOf(ctx);
    ctx.body = support.inbox(actor, parseStateFilter(ctx.query['state']), parseInboxCursor(ctx.query['after']));
  });

  router.get('/admin/support/conversations/:reference', (ctx) => {
    ctx.body = support.read(actorOf(ctx), referenceOf(ctx));
  });

  router.post('/admin/support/conversations/:reference/replies', (ctx) => {
    const actor = actorOf(ctx);
    const { message } = parseReply(ctx.state.body);
    ctx.body = support.reply(actor, referenceOf(ctx), message);
    ctx.status = 201;
    log.info('support', 'support reply sent', { request_id: ctx.state.requestId });
  });

  router.post('/admin/support/conversations/:reference/close', (ctx) => {
    ctx.body = support.close(actorOf(ctx), referenceOf(ctx));
    log.info('support', 'support conversation closed', { request_id: ctx.state.requestId });
  });

  return router;
}
