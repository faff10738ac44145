// The calls page's part of "who may ring me": blocking the member or guest who rings or just
// rang (POST /api/me/blocks), and saying when do-not-disturb keeps calls from ringing here.
import type { BlockList, ReachView } from '../../../server/contract/reach.js';
import type { PartyView } from '../../../server/signal/protocol.js';
import { api, ApiError } from './api.js';
import { hasMessage, t } from './messages.js';

/** Blocks this caller; resolves with the sentence to show, whether it worked or not. */
export async function blockCaller(caller: PartyView): Promise<string> {
  const target = caller.kind === 'member' ? { memberId: caller.memberId } : { guestId: caller.guestId };
  try {
    await api<BlockList>('POST', '/api/me/blocks', target);
    return t('reach.blocked', { name: caller.displayName });
  } catch (problem) {
    const code = problem instanceof ApiError ? problem.code : 'generic';
    return t(hasMessage(code) ? code : 'generic');
  }
}

/** Shows `line` while do-not-disturb is on (now or by the schedule); a failure leaves it hidden. */
export function showQuietTime(line: HTMLElement): void {
  api<ReachView>('GET', '/api/me/reach').then(
    (reach) => {
      line.hidden = !reach.quietNow;
    },
    (problem: unknown) => console.warn('do-not-disturb state unavailable', problem),
  );
}
