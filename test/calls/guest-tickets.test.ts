import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AppError } from '../../server/errors.js';
import { createGuestTickets, GUEST_TICKET_TTL_MS, MAX_LIVE_GUEST_TICKETS } from '../../server/calls/guest-tickets.js';

const tickets = suite('guest tickets');

tickets('name the guest and the one member they may ring', () => {
  const store = createGuestTickets();
  const issued = store.issue('member-1', 'Ada', 'code');
  assert.match(issued.ticket, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(store.redeem(issued.ticket), { guestId: issued.guestId, displayName: 'Ada', calleeMemberId: 'member-1', linkCode: 'code' });
  assert.is(store.redeem('not-a-ticket'), null);
});

tickets('keep the guest id of the ticket the same browser holds, for the same link only, while it lives', () => {
  let now = 0;
  const store = createGuestTickets(() => now);
  const first = store.issue('m', 'Zoé', 'code');
  assert.is(store.issue('m', 'Zoé again', 'code', first.ticket).guestId, first.guestId);
  assert.is.not(store.issue('m', 'Zoé', 'new-code', first.ticket).guestId, first.guestId, 'a replaced link makes a new guest');
  assert.is.not(store.issue('other', 'Zoé', 'code', first.ticket).guestId, first.guestId);
  assert.is.not(store.issue('m', 'Zoé', 'code', 'made-up-ticket').guestId, first.guestId);
  now += GUEST_TICKET_TTL_MS;
  assert.is.not(store.issue('m', 'Zoé', 'code', first.ticket).guestId, first.guestId, 'an expired ticket makes a new guest');
});

tickets('expire unless used, and slide while in use', () => {
  let now = 0;
  const store = createGuestTickets(() => now);
  const used = store.issue('m', 'Used', 'code');
  const idle = store.issue('m', 'Idle', 'code');
  now = GUEST_TICKET_TTL_MS - 1;
  assert.ok(store.redeem(used.ticket));
  now = GUEST_TICKET_TTL_MS + 10;
  assert.is(store.redeem(idle.ticket), null);
  assert.ok(store.redeem(used.ticket), 'the used ticket lives on');
  now += GUEST_TICKET_TTL_MS;
  assert.is(store.redeem(used.ticket), null);
});

tickets('end with the member’s link', () => {
  const store = createGuestTickets();
  const one = store.issue('m1', 'A', 'code');
  const other = store.issue('m2', 'B', 'code');
  store.revokeFor('m1');
  assert.is(store.redeem(one.ticket), null);
  assert.ok(store.redeem(other.ticket));
});

tickets('stay bounded in number, the oldest going first', () => {
  const store = createGuestTickets();
  const first = store.issue('m', 'first', 'code');
  for (let i = 0; i < MAX_LIVE_GUEST_TICKETS + 5; i += 1) store.issue('m', 'flood', 'code');
  assert.ok(store.size() <= MAX_LIVE_GUEST_TICKETS);
  assert.is(store.redeem(first.ticket), null);
});

tickets('never evict the ticket of a guest in a call; a table full of calls refuses a new one', () => {
  const inCall = new Set<string>();
  const store = createGuestTickets(Date.now, (guestId) => inCall.has(guestId));
  const calling = store.issue('m', 'calling', 'code');
  inCall.add(calling.guestId);
  for (let i = 0; i < MAX_LIVE_GUEST_TICKETS + 5; i += 1) store.issue('m', 'flood', 'code');
  assert.ok(store.size() <= MAX_LIVE_GUEST_TICKETS);
  assert.ok(store.redeem(calling.ticket), 'the guest in a call keeps their ticket');
  const everyone = createGuestTickets(Date.now, () => true);
  for (let i = 0; i < MAX_LIVE_GUEST_TICKETS; i += 1) everyone.issue('m', 'in a call', 'code');
  assert.throws(
    () => everyone.issue('m', 'one more', 'code'),
    (error: AppError) => error.kind === 'busy' && error.code === 'guest_tickets_full' && error.retryAfterS === 60,
  );
});

tickets.run();
