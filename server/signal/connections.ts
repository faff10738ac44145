// The hub's open sockets, indexed by party: each device of a member, each socket of a guest.
import type { Party, TimerHandle } from './deps.js';
import type { Peer } from './peer.js';

export type Connection = {
  id: string;
  party: Party;
  key: string;
  peer: Peer;
  /** The client's address block (client-address.ts), for the per-address limits; null when unknown. */
  address: string | null;
  isGreeted: boolean;
  isOpen: boolean;
  helloTimer: TimerHandle | null;
};

export type Connections = {
  add(conn: Connection): void;
  remove(conn: Connection): void;
  /** The party's sockets that said hello and are still open: the devices a call rings. */
  greetedOf(key: string): Connection[];
  /** A snapshot, safe to close connections while walking it. */
  all(): Connection[];
  count(): number;
};

export function createConnections(): Connections {
  const byParty = new Map<string, Set<Connection>>();
  return {
    add(conn) {
      byParty.set(conn.key, (byParty.get(conn.key) ?? new Set()).add(conn));
    },
    remove(conn) {
      const devices = byParty.get(conn.key);
      devices?.delete(conn);
      if (devices?.size === 0) byParty.delete(conn.key);
    },
    greetedOf: (key) => [...(byParty.get(key) ?? [])].filter((conn) => conn.isGreeted && conn.isOpen),
    all: () => [...byParty.values()].flatMap((devices) => [...devices]),
    count: () => [...byParty.values()].reduce((total, devices) => total + devices.size, 0),
  };
}
