import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanDisplayName, createGuestTickets, GUEST_TICKET_TTL_MS, MAX_LIVE_GUEST_TICKETS } from '../../server/services/guest-tickets.js';

const tickets = suite('guest tickets');

tickets('name the guest and the one member they may ring', () => {
  const store = createGuestTickets();
  const issued = store.issue('member-1', 'Ada');
  assert.match(issued.ticket, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(store.redeem(issued.ticket), { guestId: issued.guestId, displayName: 'Ada', calleeMemberId: 'member-1' });
  assert.is(store.redeem('not-a-ticket'), null);
});

tickets('expire unless used, and slide while in use', () => {
  let now = 0;
  const store = createGuestTickets(() => now);
  const used = store.issue('m', 'Used');
  const idle = store.issue('m', 'Idle');
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
  const one = store.issue('m1', 'A');
  const other = store.issue('m2', 'B');
  store.revokeFor('m1');
  assert.is(store.redeem(one.ticket), null);
  assert.ok(store.redeem(other.ticket));
});

tickets('stay bounded in number, the oldest going first', () => {
  const store = createGuestTickets();
  const first = store.issue('m', 'first');
  for (let i = 0; i < MAX_LIVE_GUEST_TICKETS + 5; i += 1) store.issue('m', 'flood');
  assert.ok(store.size() <= MAX_LIVE_GUEST_TICKETS);
  assert.is(store.redeem(first.ticket), null);
});

tickets.run();

const names = suite('cleanDisplayName');

names('trims and folds spaces, keeps accents and scripts', () => {
  assert.is(cleanDisplayName('  Zoé   Ňovák '), 'Zoé Ňovák');
  assert.is(cleanDisplayName('李雷'), '李雷');
});

names('refuses empty, too long, non-string and control or direction characters', () => {
  for (const bad of ['', '   ', 'x'.repeat(61), 42, null, 'a\u0000b', 'evil\u202Etxt.exe', 'zero\u200bwidth']) {
    assert.is(cleanDisplayName(bad), null, JSON.stringify(bad));
  }
  assert.is(cleanDisplayName('x'.repeat(60)), 'x'.repeat(60));
});

names.run();
