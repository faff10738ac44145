// When a ringing call stops by itself: at the ring timeout, or sooner when the member's quiet
// time starts while it rings (do-not-disturb switched on, or a weekly schedule beginning). Then
// it ends exactly as a call that came in during quiet time: "unavailable" for the caller, a
// missed call for the member. hub.ts owns the calls and ends them; this only decides when.
import type { Call } from './call-state.js';
import { memberKey, type Clock, type ReachScreen } from './deps.js';
import type { HubTiming } from './hub-api.js';
import type { RingingIndex } from './ringing-index.js';

export type RingTimerDeps<C> = Readonly<{
  clock: Clock;
  timing: HubTiming;
  reach: ReachScreen;
  /** The calls ringing each member, under the member's key. */
  ringingFor: RingingIndex<Call<C>>;
  /** Ends a call (the hub's endCall). */
  end(call: Call<C>, reason: 'no-answer' | 'unavailable'): void;
  /** Keeps these callers from ringing again for a while (the ring guard's cool-down). */
  coolDown(keys: readonly string[]): void;
}>;

export type RingTimer<C> = Readonly<{
  /** (Re)starts a ringing call's timer from what is left of its ring and the member's settings. */
  arm(call: Call<C>): void;
  /** The member's settings changed, or their quiet time is due: end or re-time their ringing calls. */
  reachChanged(memberId: string): void;
}>;

export function createRingTimer<C>(deps: RingTimerDeps<C>): RingTimer<C> {
  const { clock, timing, reach } = deps;

  function arm(call: Call<C>): void {
    if (call.ringTimer !== null) clock.clearTimer(call.ringTimer);
    const memberId = call.calleeProfile.memberId;
    const leftMs = Math.max(0, call.startedAtMs + timing.ringTimeoutMs - clock.nowMs());
    const quietInMs = reach.quietStartsWithin(memberId, leftMs);
    call.ringTimer = quietInMs === null ? clock.setTimer(() => deps.end(call, 'no-answer'), leftMs) : clock.setTimer(() => reachChanged(memberId), quietInMs);
  }

  function reachChanged(memberId: string): void {
    const isQuiet = reach.isQuiet(memberId);
    for (const call of deps.ringingFor.of(memberKey(memberId))) {
      if (call.state !== 'ringing') continue;
      // Not (or no longer) due: the schedule moved, or the timer beat the schedule's clock.
      if (!isQuiet) {
        arm(call);
        continue;
      }
      // As a quiet-time refusal at the invite: the same cool-down, the same answer.
      deps.coolDown(call.cooldownKeys);
      deps.end(call, 'unavailable');
    }
  }

  return { arm, reachChanged };
}
