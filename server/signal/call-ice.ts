// The ICE servers of a call's parties: minted per call and party by the credential service
// (deps.ts IceProvider), relay-only when the call is, and released together when the call ends.
import { AppError } from '../errors.js';
import type { Call } from './call-state.js';
import type { IceProvider, Party } from './deps.js';
import type { IceConfig } from './protocol.js';

export type CallIce = {
  /** A party's servers for the call; throws the relay's refusal when it cannot mint now. */
  configFor(call: Call<unknown>, party: Party): IceConfig;
  /**
   * A party's servers while the call rings, so it can gather its candidates (and reserve its
   * relay port) before the answer: the caller makes its offer, a rung device its connection, and
   * Answer then waits for the camera, not the relay. Nothing of either side reaches the other
   * before the accept. Null when the relay cannot mint now: that side gathers once the call is
   * connected instead, and the accept mints again (or is refused as before).
   */
  forRinging(call: Call<unknown>, party: Party): IceConfig | null;
};

export function createCallIce(ice: IceProvider): CallIce {
  const configFor = (call: Call<unknown>, party: Party): IceConfig => {
    // Asked for once: the end of the call releases whatever was minted for it.
    call.hasIce = true;
    return { iceServers: ice.iceServersFor(call.id, party), iceTransportPolicy: call.isRelayOnly ? 'relay' : 'all' };
  };
  return {
    configFor,
    forRinging(call, party) {
      try {
        return configFor(call, party);
      } catch (error) {
        if (error instanceof AppError) return null;
        throw error;
      }
    },
  };
}
