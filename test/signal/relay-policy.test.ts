// The one relay rule, used by the hub for a call and by GET /api/ice-servers for one party.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { relayPolicy } from '../../server/signal/hub-api.js';

const member = (prefersRelayOnly = false) => ({ kind: 'member', prefersRelayOnly }) as const;
const guest = { kind: 'guest', prefersRelayOnly: false } as const;

test('lets two members who asked for nothing use every path', () => {
  assert.is(relayPolicy(member(), member()), 'all');
  assert.is(relayPolicy(member()), 'all');
});

test('sends every call with a guest through the relay, whoever asked what', () => {
  assert.is(relayPolicy(guest, member()), 'relay');
  assert.is(relayPolicy(guest), 'relay');
});

test('sends a call through the relay when either member asked for it', () => {
  assert.is(relayPolicy(member(true), member()), 'relay');
  assert.is(relayPolicy(member(), member(true)), 'relay');
  assert.is(relayPolicy(member(true)), 'relay');
});

test.run();
