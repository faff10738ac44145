// The calls ringing each member, under the member's key, until answered or ended. Kept apart from
// the calls a party placed or answered: being rung locks nothing (see hub.ts).
export type RingingIndex<C> = {
  add(key: string, call: C): void;
  remove(key: string, call: C): void;
  /** A copy: ending a call while going through the list is safe. */
  of(key: string): C[];
};

export function createRingingIndex<C>(): RingingIndex<C> {
  const byKey = new Map<string, Set<C>>();
  return {
    add(key, call) {
      byKey.set(key, (byKey.get(key) ?? new Set()).add(call));
    },
    remove(key, call) {
      const calls = byKey.get(key);
      calls?.delete(call);
      if (calls?.size === 0) byKey.delete(key);
    },
    of: (key) => [...(byKey.get(key) ?? [])],
  };
}
