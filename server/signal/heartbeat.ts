// Spreads the heartbeat over its interval: each socket joins one of the interval's slots in
// turn, and each tick (every HEARTBEAT_TICK_MS) visits one slot. Pinging every socket in one loop
// was a 90–250 ms task at 5k sockets every 25 s, during which no signaling message moved; one
// slot a second (25 slots) still made a burst of 400 pings, and then 400 pongs, every second at
// 10k sockets, and the signaling p99 grew with the members connected (BENCHMARKS.md).

/** How often a slot is visited: at 25 s and 10k sockets, 8 pings a tick (a fraction of a millisecond). */
export const HEARTBEAT_TICK_MS = 20;

/** Slots for an interval: one per tick, so a whole round takes the interval (one slot for an interval under a tick). */
export function heartbeatSlices(intervalMs: number): number {
  return Math.max(1, Math.round(intervalMs / HEARTBEAT_TICK_MS));
}

export type HeartbeatSchedule<T> = {
  add(item: T): void;
  remove(item: T): void;
  /** The items whose turn it is, then the next slot's at the next call: every item once per `slices` calls. */
  due(): readonly T[];
  /** Milliseconds between two calls of due() for a whole round to take `intervalMs`. */
  tickMs(intervalMs: number): number;
};

export function createHeartbeatSchedule<T>(slices: number): HeartbeatSchedule<T> {
  const slots = Array.from({ length: slices }, () => new Set<T>());
  const slotOf = new Map<T, Set<T>>();
  let nextSlot = 0;
  let tick = 0;
  return {
    add(item) {
      const slot = slots[nextSlot] as Set<T>;
      nextSlot = (nextSlot + 1) % slices;
      slot.add(item);
      slotOf.set(item, slot);
    },
    remove(item) {
      slotOf.get(item)?.delete(item);
      slotOf.delete(item);
    },
    due() {
      const slot = slots[tick] as Set<T>;
      tick = (tick + 1) % slices;
      return [...slot];
    },
    tickMs: (intervalMs) => Math.max(1, Math.floor(intervalMs / slices)),
  };
}
