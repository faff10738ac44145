// Spreads the heartbeat over its interval: each socket joins one of HEARTBEAT_SLICES slots in
// turn, and each tick (interval / slices) visits one slot. Pinging every socket in one loop was
// a 90–250 ms task at 5k sockets every 25 s, during which no signaling message moved.

/** Ticks per heartbeat interval: at 25 s, one tick a second, and 5k sockets make 200 pings a tick. */
export const HEARTBEAT_SLICES = 25;

export type HeartbeatSchedule<T> = {
  add(item: T): void;
  remove(item: T): void;
  /** The items whose turn it is, then the next slot's at the next call: every item once per `slices` calls. */
  due(): readonly T[];
  /** Milliseconds between two calls of due() for a whole round to take `intervalMs`. */
  tickMs(intervalMs: number): number;
};

export function createHeartbeatSchedule<T>(slices = HEARTBEAT_SLICES): HeartbeatSchedule<T> {
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
