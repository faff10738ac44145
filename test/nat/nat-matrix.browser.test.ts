// Calls connect behind NATs and firewalls: the real server (HTTPS, signaling, TURN relay over
// UDP, TCP and TLS on 443) on a public segment, and Chromium in "homes" behind routers that NAT
// and filter with nftables (full cone, port-restricted cone, symmetric, no UDP at all, TCP 443
// only, two people behind one NAT: on a shared LAN, then isolated from each other with and
// without a hairpinning router). For each pair of homes, a member rings
// a member from the directory and a guest rings a member from the call link, through the real pages. The test
// records for each call whether it connected, how long from "Answer" until both screens showed
// it connected, the selected candidate pair on each side (getStats) and whether media flowed
// both ways; it prints the table and writes it to docs/nat.md. Needs root, iproute2, nftables,
// openssl and /usr/bin/chromium; otherwise every test reports itself skipped with the reason.
// Firefox's cell is nat-firefox.browser.test.ts.
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { netemUnavailableReason, type Client, type HomeSpec } from '../helpers/netns.js';
import { LAB_ORIGIN, natLabUnavailableReason, startNatLab, type NatLab } from '../helpers/nat-lab.js';
import { assertCall, rowOf } from '../helpers/nat-cells.js';
import { hangUp, makeIdle, measureCall, openCallsPage, openParty, signUpMember, type CallResult, type Party, type PathKind } from '../helpers/nat-calls.js';
import { formatMatrix, writeMatrixDoc, type MatrixRow } from '../helpers/nat-report.js';

const HOMES: readonly HomeSpec[] = [
  { name: 'cone1', nat: 'cone', clients: 1 },
  { name: 'cone2', nat: 'cone', clients: 1 },
  { name: 'rest1', nat: 'restricted', clients: 1 },
  { name: 'rest2', nat: 'restricted', clients: 1 },
  { name: 'sym1', nat: 'symmetric', clients: 1 },
  { name: 'sym2', nat: 'symmetric', clients: 1 },
  { name: 'noudp', nat: 'no-udp', clients: 1 },
  { name: 'tcp443', nat: 'tcp443', clients: 1 },
  { name: 'same', nat: 'restricted', clients: 2 },
];

/** `guest`: also a guest call (always relayed) from the caller's home to the callee. */
type Cell = { caller: [string, number]; callee: [string, number]; member: PathKind; guest: boolean };
/**
 * A representative set of pairs: the full cross product of 9 homes, both calls each, would take
 * too long for CI. Guest calls are relay-only wherever they are, so they run where the homes
 * change how the relay is reached (UDP, TCP, TLS) and in a plain cone and same-LAN baseline.
 */
const CELLS: readonly Cell[] = [
  { caller: ['cone1', 0], callee: ['cone2', 0], member: 'direct', guest: true },
  { caller: ['rest1', 0], callee: ['rest2', 0], member: 'direct', guest: false },
  { caller: ['sym1', 0], callee: ['cone1', 0], member: 'direct', guest: false },
  { caller: ['rest1', 0], callee: ['sym1', 0], member: 'relayed', guest: false },
  { caller: ['sym1', 0], callee: ['sym2', 0], member: 'relayed', guest: true },
  { caller: ['noudp', 0], callee: ['cone1', 0], member: 'relayed', guest: true },
  { caller: ['sym2', 0], callee: ['noudp', 0], member: 'relayed', guest: false },
  { caller: ['tcp443', 0], callee: ['rest1', 0], member: 'relayed', guest: true },
  { caller: ['noudp', 0], callee: ['tcp443', 0], member: 'relayed', guest: false },
  { caller: ['same', 0], callee: ['same', 1], member: 'direct', guest: true },
];

const skipReason = natLabUnavailableReason();
const matrix = suite('NAT and firewall matrix');
const test = skipReason === null ? matrix : matrix.skip;
if (skipReason !== null) console.log(`NAT and firewall matrix skipped: ${skipReason}`);

let lab: NatLab | null = null;
const rows: MatrixRow[] = [];
/** One member per client, logged in on /calls for the whole suite: each cell starts from there. */
const members = new Map<string, Party>();

matrix.before(async () => {
  if (skipReason !== null) return;
  lab = await startNatLab(HOMES);
  const started = lab;
  // One launch at a time (each is bounded), then the pages work in parallel.
  for (const client of started.network.clients) await started.browserOf(client);
  // Everyone signs up before anyone opens /calls, so every directory lists every member.
  await Promise.all(
    started.network.clients.map(async (client) => {
      members.set(client.ns, await signUpMember(await started.browserOf(client), LAB_ORIGIN, 'Member', `Nat${randomBytes(3).toString('hex')}`));
    }),
  );
  await Promise.all([...members.values()].map((member) => openCallsPage(member, LAB_ORIGIN)));
});

matrix.after(async () => {
  if (rows.length > 0) {
    const table = formatMatrix(rows);
    console.log(`\n${table}`);
    writeMatrixDoc(
      table,
      HOMES.map((home) => `${home.name}: ${home.nat}${home.clients > 1 ? ` (${home.clients} clients)` : ''}`),
      netemUnavailableReason(),
    );
  }
  await Promise.all([...members.values()].map((member) => member.context.close().catch(() => undefined)));
  await lab?.close();
});

function record(cell: string, call: 'member' | 'guest', expected: PathKind, result: CallResult): void {
  rows.push(rowOf(cell, call, expected, result));
}

async function memberOf(client: Client): Promise<Party> {
  const member = members.get(client.ns);
  if (member === undefined) throw new Error(`no member in ${client.ns}`);
  await makeIdle(member, LAB_ORIGIN);
  return member;
}

for (const cell of CELLS) {
  const name = `${cell.caller[0]}${cell.caller[0] === cell.callee[0] ? `#${cell.caller[1]}` : ''} ↔ ${cell.callee[0]}${cell.caller[0] === cell.callee[0] ? `#${cell.callee[1]}` : ''}`;
  test(`${name}: a member call goes ${cell.member}${cell.guest ? ', a guest call is relayed' : ''}; with media both ways`, async () => {
    const network = (lab as NatLab).network;
    const callerClient = network.client(...cell.caller);
    const calleeClient = network.client(...cell.callee);
    const caller = await memberOf(callerClient);
    const callee = await memberOf(calleeClient);
    const member = await measureCall(caller, callee, () => caller.page.getByRole('button', { name: `Call ${callee.name}` }).click(), cell.member);
    record(name, 'member', cell.member, member);
    await hangUp(caller, callee).catch(() => undefined);
    assertCall(member, cell.member, callerClient, calleeClient, false);
    if (!cell.guest) return;

    const guest = await openParty(await (lab as NatLab).browserOf(callerClient), 'Guest');
    try {
      const link = await callee.page.inputValue('#call-link');
      const viaLink = await measureCall(
        guest,
        callee,
        async () => {
          await guest.page.goto(link);
          await guest.page.getByLabel('Your name').fill('Guest');
          await guest.page.getByRole('button', { name: 'Call', exact: true }).click();
        },
        'relayed',
      );
      record(name, 'guest', 'relayed', viaLink);
      await hangUp(guest, callee).catch(() => undefined);
      assertCall(viaLink, 'relayed', callerClient, calleeClient, true);
    } finally {
      await guest.context.close().catch(() => undefined);
    }
  });
}

// Two people on one LAN whose router isolates its clients from each other (as a guest Wi-Fi
// does): their host candidates cannot meet. A router that hairpins (RFC 4787 REQ-9) carries the
// direct path through its own public address; one that does not leaves the relay.
test("same#0 ↔ same#1 with the clients isolated: a member call goes direct through the router's public address when it hairpins, else relayed", async () => {
  const network = (lab as NatLab).network;
  const callerClient = network.client('same', 0);
  const calleeClient = network.client('same', 1);
  const publicAddress = network.publicAddressOf('same');
  let hairpinOn = false;
  network.isolateClients('same', true);
  try {
    for (const hairpin of [true, false]) {
      if (hairpin !== hairpinOn) network.setHairpin('same', hairpin);
      hairpinOn = hairpin;
      const expected: PathKind = hairpin ? 'direct' : 'relayed';
      const caller = await memberOf(callerClient);
      const callee = await memberOf(calleeClient);
      const result = await measureCall(caller, callee, () => caller.page.getByRole('button', { name: `Call ${callee.name}` }).click(), expected);
      record(`same#0 ↔ same#1 isolated, ${hairpin ? 'hairpin' : 'no hairpin'}`, 'member', expected, result);
      await hangUp(caller, callee).catch(() => undefined);
      assertCall(result, expected, callerClient, calleeClient, false);
      if (!hairpin) continue;
      // Chromium's stats leave a peer-reflexive candidate's address out; the other side names it.
      const seen = [result.caller, result.callee].map((path) => path?.remoteAddress ?? '').filter((address) => address !== '');
      assert.ok(seen.length > 0, 'a side names the address it reaches the other at');
      for (const address of seen) assert.is(address, publicAddress, "the path goes through the router's public address");
    }
  } finally {
    if (hairpinOn) network.setHairpin('same', false);
    network.isolateClients('same', false);
  }
});

matrix.run();
