// The "who may ring me" API: /api/me/reach (do-not-disturb now and on a schedule) and
// /api/me/blocks (the members and guests a member blocked). Every field is checked here, with
// stable codes, before the service sees it.
import type { BlockList, ReachView } from '../contract/reach.js';
import { MAX_ID_CHARS } from '../signal/protocol.js';
import { notFound } from '../errors.js';
import { createRouter } from '../http/router.js';
import { requireMember } from '../http/session.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import { booleanField, optional, schema, type FieldReader } from '../http/schema.js';
import { isTimeZone, minutesOf, WEEKDAYS, type DndSchedule, type Weekday } from './dnd-schedule.js';
import type { ReachService } from './reach-service.js';

const ID = /^[A-Za-z0-9_-]+$/;

/** { days: ["mon", …], start: "HH:MM", end: "HH:MM", timeZone: "Europe/Paris" }; each bad part is
 *  named in `fields` as schedule.days, schedule.start, schedule.end or schedule.timeZone. */
const scheduleField: FieldReader<DndSchedule> = (value, problems, key) => {
  const fallback: DndSchedule = { days: [], startMin: 0, endMin: 0, timeZone: 'UTC' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems[key] = 'must_be_object';
    return fallback;
  }
  const input = value as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(input)) if (!['days', 'start', 'end', 'timeZone'].includes(name)) problems[`${key}.${name}`] = 'not_allowed';
  const days = input['days'];
  const isDays =
    Array.isArray(days) &&
    days.length <= WEEKDAYS.length &&
    days.every((day) => typeof day === 'string' && (WEEKDAYS as readonly string[]).includes(day)) &&
    new Set(days).size === days.length;
  if (!isDays) problems[`${key}.days`] = 'invalid';
  const startMin = minutesOf(input['start']);
  const endMin = minutesOf(input['end']);
  if (startMin === null) problems[`${key}.start`] = 'invalid_time';
  if (endMin === null) problems[`${key}.end`] = 'invalid_time';
  const timeZone = input['timeZone'];
  if (!isTimeZone(timeZone)) problems[`${key}.timeZone`] = 'unknown_time_zone';
  if (!isDays || startMin === null || endMin === null || !isTimeZone(timeZone)) return fallback;
  // Stored in the week's order, whatever order they came in.
  return { days: WEEKDAYS.filter((day) => (days as Weekday[]).includes(day)), startMin, endMin, timeZone };
};

const idField: FieldReader<string> = (value, problems, key) => {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_CHARS || !ID.test(value)) problems[key] = 'invalid';
  return typeof value === 'string' ? value : '';
};

const parseReach = schema(
  { dndNow: optional(booleanField), schedule: optional(scheduleField), knockFirst: optional(booleanField) },
  { code: 'invalid_reach_settings', message: 'Some settings are not valid.', closed: true },
);

const parseBlock = schema(
  { memberId: optional(idField), guestId: optional(idField) },
  {
    code: 'invalid_block',
    message: 'Name one member (memberId) or one guest (guestId) to block.',
    closed: true,
    check(input, problems) {
      if ((input.memberId === undefined) === (input.guestId === undefined)) problems['memberId'] = 'one_of_member_or_guest';
    },
  },
);

export function reachRoutes(reach: ReachService): ApiRouteGroup {
  const router = createRouter();
  router.get('/me/reach', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = reach.reachOf(requireMember(ctx).id) satisfies ReachView;
  });
  router.patch('/me/reach', (ctx) => {
    const member = requireMember(ctx);
    const changes = parseReach(ctx.state.body);
    ctx.body = reach.updateReach(member.id, {
      ...(changes.dndNow === undefined ? {} : { dndNow: changes.dndNow }),
      ...(changes.schedule === undefined ? {} : { schedule: changes.schedule }),
      ...(changes.knockFirst === undefined ? {} : { knockFirst: changes.knockFirst }),
    }) satisfies ReachView;
  });

  router.get('/me/blocks', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = reach.blocksOf(requireMember(ctx).id) satisfies BlockList;
  });
  router.post('/me/blocks', (ctx) => {
    const member = requireMember(ctx);
    const target = parseBlock(ctx.state.body);
    ctx.body = (
      target.memberId !== undefined ? reach.blockMember(member.id, target.memberId) : reach.blockGuest(member.id, target.guestId ?? '')
    ) satisfies BlockList;
  });
  router.delete('/me/blocks/:id', (ctx) => {
    const member = requireMember(ctx);
    const id = Number(ctx.params['id']);
    if (!/^\d{1,16}$/.test(ctx.params['id'] ?? '') || !Number.isSafeInteger(id) || id <= 0) throw notFound('No such entry in your block list.');
    ctx.body = reach.unblock(member.id, id) satisfies BlockList;
  });
  return router;
}
