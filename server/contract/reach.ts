// What the "who may ring me" API answers (GET/PATCH /api/me/reach, /api/me/blocks), as types
// only, for the server and the pages to compile against one definition.
import type { Weekday } from '../calls/dnd-schedule.js';

export type { Weekday };

/** The weekly quiet time, in the member's time zone: times are "HH:MM"; an end before the
 *  start runs past midnight; equal start and end make the whole day; no days, no schedule. */
export type DndScheduleView = Readonly<{ days: readonly Weekday[]; start: string; end: string; timeZone: string }>;

/** GET and PATCH /api/me/reach. `quietNow`: whether callers are told "unavailable" right now;
 *  `knockFirst`: guests' calls arrive as knocks (name and a short note) to let in or refuse. */
export type ReachView = Readonly<{ dndNow: boolean; schedule: DndScheduleView; quietNow: boolean; knockFirst: boolean }>;

/** One entry of the block list: a member (by their current name) or a guest (the name they typed). */
export type BlockView = Readonly<{ id: number; kind: 'member' | 'guest'; name: string; createdAt: string }>;

/** GET /api/me/blocks, and the answer to POST and DELETE. */
export type BlockList = Readonly<{ blocks: readonly BlockView[]; max: number }>;
