// Tells the rest of the server (the calls part, the WebSocket signaler) when a member is created,
// when a member's sessions end, the member is deleted or disabled, or their new address awaits
// verification, so it makes what every member has or closes the matching sockets. Listeners run synchronously, after the
// database change is committed; a listener that throws is isolated from the others.

export type MemberEvents = {
  /** A new account was committed (sign-up): other parts create what every member has. */
  onMemberCreated(listener: (memberId: string) => void): () => void;
  /** Log-out, a session ended from the list, a password change (the other sessions), expiry. */
  onSessionsEnded(listener: (memberId: string, sessionIds: readonly string[]) => void): () => void;
  /** The account and everything about it has been erased. */
  onMemberDeleted(listener: (memberId: string) => void): () => void;
  /** An admin disabled the account (here or through the CLI): its sessions are already gone. */
  onMemberDisabled(listener: (memberId: string) => void): () => void;
  /** The member's new address awaits verification: they cannot be rung until it is verified. */
  onAddressUnverified(listener: (memberId: string) => void): () => void;
  memberCreated(memberId: string): void;
  sessionsEnded(memberId: string, sessionIds: readonly string[]): void;
  memberDeleted(memberId: string): void;
  memberDisabled(memberId: string): void;
  addressUnverified(memberId: string): void;
};

export function createMemberEvents(onListenerError: (error: unknown) => void = () => {}): MemberEvents {
  const created = new Set<(memberId: string) => void>();
  const ended = new Set<(memberId: string, sessionIds: readonly string[]) => void>();
  const deleted = new Set<(memberId: string) => void>();
  const disabled = new Set<(memberId: string) => void>();
  const unverified = new Set<(memberId: string) => void>();
  const each = <A extends unknown[]>(listeners: Set<(...args: A) => void>, ...args: A): void => {
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (error) {
        onListenerError(error);
      }
    }
  };
  return {
    onMemberCreated(listener) {
      created.add(listener);
      return () => created.delete(listener);
    },
    onSessionsEnded(listener) {
      ended.add(listener);
      return () => ended.delete(listener);
    },
    onMemberDeleted(listener) {
      deleted.add(listener);
      return () => deleted.delete(listener);
    },
    onMemberDisabled(listener) {
      disabled.add(listener);
      return () => disabled.delete(listener);
    },
    onAddressUnverified(listener) {
      unverified.add(listener);
      return () => unverified.delete(listener);
    },
    memberCreated(memberId) {
      each(created, memberId);
    },
    sessionsEnded(memberId, sessionIds) {
      if (sessionIds.length > 0) each(ended, memberId, sessionIds);
    },
    memberDeleted(memberId) {
      each(deleted, memberId);
    },
    memberDisabled(memberId) {
      each(disabled, memberId);
    },
    addressUnverified(memberId) {
      each(unverified, memberId);
    },
  };
}
