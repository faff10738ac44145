// What the NAT suites check of each call, and the table row it makes: connected, media both
// ways, the path both sides settled on, and what each side's own network forces.
import * as assert from 'uvu/assert';
import { describePath, kindOf, type CallResult, type PathKind, type PathReport } from './nat-calls.js';
import type { MatrixRow } from './nat-report.js';
import type { Client, NatKind } from './netns.js';

/** What a side's own network forces: relayed over TCP or TLS where UDP cannot leave. */
function relayProtocolsFor(nat: NatKind): readonly string[] | null {
  if (nat === 'no-udp') return ['tcp', 'tls'];
  if (nat === 'tcp443') return ['tls'];
  return null;
}

function checkSide(path: PathReport | null, nat: NatKind, relayOnly: boolean, who: string): void {
  assert.ok(path !== null, `${who}: a selected candidate pair`);
  if (relayOnly) assert.is(path.local, 'relay', `${who}: relay-only, the local candidate is a relay one`);
  const forced = relayProtocolsFor(nat);
  if (forced !== null) {
    assert.is(path.local, 'relay', `${who}: a ${nat} home reaches the other side only through the relay`);
    assert.ok(forced.includes(path.relayProtocol ?? ''), `${who}: relay over ${forced.join(' or ')}, got ${String(path.relayProtocol)}`);
  }
}

export function rowOf(cell: string, call: 'member' | 'guest', expected: PathKind, result: CallResult): MatrixRow {
  const actual = result.caller === null || result.callee === null ? '–' : kindOf(result.caller) === kindOf(result.callee) ? kindOf(result.caller) : 'mixed';
  return {
    cell,
    call,
    expected,
    actual,
    connected: result.connected,
    connectMs: result.connectMs,
    caller: describePath(result.caller),
    callee: describePath(result.callee),
    media: result.mediaBothWays,
  };
}

export function assertCall(result: CallResult, expected: PathKind, caller: Client, callee: Client, relayOnly: boolean): void {
  assert.ok(result.connected, `connected (${String(result.error)})`);
  assert.ok(result.mediaBothWays, `media both ways (${String(result.error)})`);
  assert.is(result.error, null);
  assert.is(kindOf(result.caller as PathReport), expected, `caller's path: ${describePath(result.caller)}`);
  assert.is(kindOf(result.callee as PathReport), expected, `callee's path: ${describePath(result.callee)}`);
  checkSide(result.caller, caller.home.nat, relayOnly, 'caller');
  checkSide(result.callee, callee.home.nat, relayOnly, 'callee');
}
