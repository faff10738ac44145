// Calls on bad networks, in the NAT test network (see nat-matrix.browser.test.ts): a home whose
// link loses 5% of packets and carries 1 Mbit/s (150 ms more outbound where the kernel has netem;
// the test prints whether it had) gets a call with media both ways; a guest whose router drops
// the relay's ports is told the call cannot connect; and a home whose link is cut mid-call and
// comes back with a new public address (the phone that moves from Wi-Fi to mobile data) recovers
// the call by an ICE restart, with media both ways on the new path. Needs root, iproute2 (tc), nftables, openssl and
// /usr/bin/chromium; otherwise every test reports itself skipped with the reason.
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { netemUnavailableReason, SERVER_ADDRESS, type HomeSpec } from '../helpers/netns.js';
import { LAB_ORIGIN, natLabUnavailableReason, startNatLab, TURN_PORT, TURN_TLS_PORT, type NatLab } from '../helpers/nat-lab.js';
import { inPage, waitMediaGrowing } from '../helpers/call-pages.js';
import { describePath, hangUp, measureCall, NAT_CALL_WAIT_MS, openCallsPage, openParty, selectedPath, signUpMember, type Party } from '../helpers/nat-calls.js';
import { FIRST_CONNECT_DEADLINE_MS } from '../../public/ts/lib/call/connection.js';
import { waitUntil } from '../helpers/wait.js';

// Code passed to the page runs there; this names its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;

const HOMES: readonly HomeSpec[] = [
  { name: 'home', nat: 'restricted', clients: 1 },
  { name: 'lossy', nat: 'restricted', clients: 1 },
  { name: 'mobile', nat: 'restricted', clients: 1 },
];
/** The lossy home's link, both ways: 5% of packets dropped (nftables), 1 Mbit/s (tbf). */
const LOSS_PERCENT = 5;
const RATE = ['rate', '1mbit', 'burst', '32kbit', 'latency', '400ms'];
/** Outbound, where the kernel has netem (the machines these tests were written on do not; the suite says which it did). */
const DELAYED = ['netem', 'delay', '150ms', 'rate', '1mbit'];
/** The mobile home's public address after the move (the homes' own are 203.0.113.11-13). */
const MOVED_WAN = '203.0.113.150/24';
/** The phone's own new address on its (new) LAN. */
const MOVED_HOST = 20;
/** The engine waits 4 s for a path to recover before restarting ICE; the restart itself then takes a few. */
const RECOVERY_WAIT_MS = 30_000;
/** The guest is told at once when relay-only gathering ends empty, else at the engine's deadline; this adds room for a busy machine. */
const RELAY_BLOCKED_WAIT_MS = FIRST_CONNECT_DEADLINE_MS + 15_000;
/** What the guest's screen says when the relay cannot be reached (server/i18n/en.ts, client.call.status.failed). */
const RELAY_BLOCKED_TEXT = 'Cannot connect: this network seems to block the way to the server’s relay.';

const skipReason = natLabUnavailableReason();
const bad = suite('calls on bad networks');
const test = skipReason === null ? bad : bad.skip;
if (skipReason !== null) console.log(`calls on bad networks skipped: ${skipReason}`);

let lab: NatLab | null = null;
const members = new Map<string, Party>();

bad.before(async () => {
  if (skipReason !== null) return;
  lab = await startNatLab(HOMES);
  for (const home of HOMES) {
    const client = lab.network.client(home.name);
    members.set(home.name, await signUpMember(await lab.browserOf(client), LAB_ORIGIN, 'Member', `Bad${randomBytes(3).toString('hex')}`));
  }
  for (const member of members.values()) await openCallsPage(member, LAB_ORIGIN);
});

bad.after(async () => {
  await Promise.all([...members.values()].map((member) => member.context.close().catch(() => undefined)));
  await lab?.close();
});

function member(home: string): Party {
  const found = members.get(home);
  if (found === undefined) throw new Error(`no member in ${home}`);
  return found;
}

test('a call from a home that loses 5% of its packets and carries 1 Mbit/s connects, with media both ways, and the screen says the connection is weak', async () => {
  const network = (lab as NatLab).network;
  const router = network.routerOf('lossy');
  network.exec(router, ['nft', 'add', 'table', 'ip', 'impair']);
  network.exec(router, ['nft', 'add', 'chain', 'ip', 'impair', 'forward', '{ type filter hook forward priority -10; policy accept; }']);
  network.exec(router, ['nft', 'add', 'rule', 'ip', 'impair', 'forward', 'numgen', 'random', 'mod', '100', '<', String(LOSS_PERCENT), 'counter', 'drop']);
  const noDelay = netemUnavailableReason();
  console.log(noDelay === null ? 'the lossy home adds 150 ms outbound (netem)' : `the lossy home adds no delay: ${noDelay}`);
  network.exec(router, ['tc', 'qdisc', 'add', 'dev', 'wan', 'root', ...(noDelay === null ? DELAYED : ['tbf', ...RATE])]);
  network.exec(router, ['tc', 'qdisc', 'add', 'dev', 'c0', 'root', 'tbf', ...RATE]);
  const [caller, callee] = [member('lossy'), member('home')];
  try {
    const result = await measureCall(caller, callee, () => caller.page.getByRole('button', { name: `Call ${callee.name}` }).click(), null);
    console.log(
      `lossy ↔ home: connected ${String(result.connected)} in ${String(result.connectMs)} ms; caller ${describePath(result.caller)}, callee ${describePath(result.callee)}`,
    );
    assert.ok(result.connected, String(result.error));
    assert.ok(result.mediaBothWays, String(result.error));
    assert.is(result.error, null);
    const dropped = Number(/packets (\d+)/.exec(network.exec(router, ['nft', 'list', 'table', 'ip', 'impair']))?.[1] ?? 0);
    assert.ok(dropped > 0, `the link did lose packets (${dropped})`);
    // Past 3% lost (quality.ts), the other side's screen says the connection is weak.
    await callee.page
      .locator('.call-screen:is([data-quality="poor"], [data-quality="bad"]) .call-quality:not([hidden])')
      .waitFor({ timeout: NAT_CALL_WAIT_MS });
  } finally {
    await hangUp(caller, callee).catch(() => undefined);
    for (const device of ['wan', 'c0']) network.exec(router, ['tc', 'qdisc', 'del', 'dev', device, 'root']);
    network.exec(router, ['nft', 'delete', 'table', 'ip', 'impair']);
  }
});

// The relay's ports (UDP and TCP 3478, TLS 443) dropped by the guest's router; the web app's
// port still answers, so the page loads and rings. A guest's calls are relay-only: no path at all.
test('a guest whose router drops the relay\'s ports is told the call cannot connect, instead of an endless "Connecting…"', async () => {
  const network = (lab as NatLab).network;
  network.loadRules(
    'lossy',
    [
      'table ip norelay {',
      '  chain forward { type filter hook forward priority -10; policy accept;',
      `    iifname "lan" ip daddr ${SERVER_ADDRESS} udp dport ${TURN_PORT} counter drop`,
      `    iifname "lan" ip daddr ${SERVER_ADDRESS} tcp dport { ${TURN_PORT}, ${TURN_TLS_PORT} } counter drop`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const callee = member('home');
  const guest = await openParty(await (lab as NatLab).browserOf(network.client('lossy')), 'Guest');
  try {
    await guest.page.goto(await callee.page.inputValue('#call-link'));
    await guest.page.getByLabel('Your name').fill('Guest');
    await guest.page.getByRole('button', { name: 'Call', exact: true }).click();
    await callee.page.locator('#incoming-dialog[open]').waitFor();
    const answered = Date.now();
    await callee.page.getByRole('button', { name: 'Answer' }).click();
    const status = guest.page.locator('.call-screen[data-phase="failed"] .call-status');
    await status.waitFor({ state: 'visible', timeout: RELAY_BLOCKED_WAIT_MS });
    console.log(`relay blocked: the guest was told ${Date.now() - answered} ms after the answer`);
    const text = (await status.textContent()) ?? '';
    assert.ok(text.startsWith(RELAY_BLOCKED_TEXT), text);
    assert.is(await guest.page.locator('.call-screen[data-phase="connected"]').count(), 0);
    const dropped = [...network.exec(network.routerOf('lossy'), ['nft', 'list', 'table', 'ip', 'norelay']).matchAll(/packets (\d+)/g)];
    assert.ok(
      dropped.every((counter) => Number(counter[1]) > 0),
      `the guest's browser did try the relay over UDP and TCP, and the router dropped it: ${dropped.map((c) => c[1]).join(', ')}`,
    );
  } finally {
    await hangUp(guest, callee).catch(() => undefined);
    await guest.context.close().catch(() => undefined);
    network.exec(network.routerOf('lossy'), ['nft', 'delete', 'table', 'ip', 'norelay']);
  }
});

function iceUfrag(page: Party['page']): Promise<string | null> {
  return inPage(page, () => /a=ice-ufrag:(\S+)/.exec(window.__pcs.at(-1)?.localDescription?.sdp ?? '')?.[1] ?? null);
}

/** Connects mobile → home directly and returns what the home side sees of the path. */
async function connectedCall(caller: Party, callee: Party): Promise<{ oldAddress: string; ufrag: string | null }> {
  const result = await measureCall(caller, callee, () => caller.page.getByRole('button', { name: `Call ${callee.name}` }).click(), 'direct');
  assert.ok(result.connected && result.mediaBothWays, String(result.error));
  const oldAddress = result.callee?.remoteAddress ?? '';
  assert.ok(oldAddress.startsWith('203.0.113.'), `the callee reaches the mobile home at its public address (${oldAddress})`);
  return { oldAddress, ufrag: await iceUfrag(caller.page) };
}

/** Cuts the mobile home's link until the other side sees the path broken. */
async function cutUntilNoticed(callee: Party, devices: Array<[string, string]>): Promise<void> {
  const network = (lab as NatLab).network;
  for (const [ns, device] of devices) network.exec(ns, ['ip', 'link', 'set', device, 'down']);
  await waitUntil(
    async () => (await inPage(callee.page, () => window.__pcs.at(-1).iceConnectionState)) !== 'connected',
    'the callee to notice the cut',
    NAT_CALL_WAIT_MS,
  );
}

/** Both screens back to connected, media both ways; after an ICE restart (new credentials) when `ufragBefore` is given. */
async function assertRecovered(caller: Party, callee: Party, ufragBefore: string | null | undefined, what: string): Promise<void> {
  const back = Date.now();
  for (const party of [caller, callee]) await party.page.locator('.call-screen[data-phase="connected"]').waitFor({ timeout: RECOVERY_WAIT_MS });
  await waitMediaGrowing(caller.page, 'the member whose link was cut', RECOVERY_WAIT_MS);
  await waitMediaGrowing(callee.page, 'the other member', RECOVERY_WAIT_MS);
  const after = await selectedPath(callee.page);
  console.log(
    `${what}: media both ways again ${Date.now() - back} ms after the link came back; callee ${describePath(after)} at ${String(after?.remoteAddress)}`,
  );
  if (ufragBefore !== undefined) assert.is.not(await iceUfrag(caller.page), ufragBefore, 'ICE was restarted (new credentials)');
}

// The addresses stay the same, so the old path may simply come back: an ICE restart may or may
// not be what recovers it, and the test does not ask which.
test('a link cut mid-call: once it is back, the call recovers with media both ways', async () => {
  const network = (lab as NatLab).network;
  const router = network.routerOf('mobile');
  const [caller, callee] = [member('mobile'), member('home')];
  try {
    await connectedCall(caller, callee);
    await cutUntilNoticed(callee, [[router, 'wan']]);
    network.exec(router, ['ip', 'link', 'set', 'wan', 'up']);
    await assertRecovered(caller, callee, undefined, 'link cut');
  } finally {
    await hangUp(caller, callee).catch(() => undefined);
  }
});

// After the move the page's signaling socket looks open but leads nowhere (its TCP connection
// went with the old address, and even close() waits for a handshake that cannot come): the page's
// liveness check finds it silent, replaces it, resumes the call and restarts ICE.
test('a move to another network mid-call (new address, new public address): an ICE restart recovers the call', async () => {
  const network = (lab as NatLab).network;
  const router = network.routerOf('mobile');
  const phone = network.client('mobile');
  const [caller, callee] = [member('mobile'), member('home')];
  try {
    const before = await connectedCall(caller, callee);
    await cutUntilNoticed(callee, [
      [phone.ns, 'eth0'],
      [router, 'wan'],
    ]);
    network.exec(router, ['ip', 'addr', 'flush', 'dev', 'wan']);
    network.exec(router, ['ip', 'addr', 'add', MOVED_WAN, 'dev', 'wan']);
    network.exec(router, ['ip', 'link', 'set', 'wan', 'up']);
    const lan = phone.address.replace(/\.\d+$/, '');
    network.exec(phone.ns, ['ip', 'addr', 'flush', 'dev', 'eth0']);
    network.exec(phone.ns, ['ip', 'addr', 'add', `${lan}.${MOVED_HOST}/24`, 'dev', 'eth0']);
    network.exec(phone.ns, ['ip', 'link', 'set', 'eth0', 'up']);
    network.exec(phone.ns, ['ip', 'route', 'add', 'default', 'via', `${lan}.1`]);
    await assertRecovered(caller, callee, before.ufrag, 'move');
    const after = await selectedPath(callee.page);
    assert.ok(after !== null && after.remoteAddress !== before.oldAddress, `the path no longer uses the old address ${before.oldAddress}`);
  } finally {
    await hangUp(caller, callee).catch(() => undefined);
  }
});

bad.run();
