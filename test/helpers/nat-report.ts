// The NAT matrix's table, printed by the test and written to docs/nat.md with what it means.
import { mkdirSync, writeFileSync } from 'node:fs';
import { projectPath } from '../../server/paths.js';

export type MatrixRow = {
  cell: string;
  call: 'member' | 'guest';
  expected: string;
  actual: string;
  connected: boolean;
  connectMs: number | null;
  caller: string;
  callee: string;
  media: boolean;
};

export function formatMatrix(rows: readonly MatrixRow[]): string {
  const header =
    "| Homes (caller ↔ callee) | Call | Expected | Got | Connected | Answer → connected | Caller's pair (local → remote) | Callee's pair (local → remote) | Media both ways |";
  const lines = rows.map((row) =>
    [
      row.cell,
      row.call,
      row.expected,
      row.actual === row.expected ? row.actual : `**${row.actual}**`,
      row.connected ? 'yes' : '**no**',
      row.connectMs === null ? '–' : `${(row.connectMs / 1000).toFixed(1)} s`,
      row.caller,
      row.callee,
      row.media ? 'yes' : '**no**',
    ].join(' | '),
  );
  return [header, `|${' --- |'.repeat(9)}`, ...lines.map((line) => `| ${line} |`)].join('\n');
}

/** `noDelayReason`: why the bad-network suite cannot add delay on this machine (netemUnavailableReason), or null. */
export function writeMatrixDoc(table: string, homes: readonly string[], noDelayReason: string | null): void {
  const delay =
    noDelayReason === null
      ? 'The kernel of the last run has netem: 150 ms are added outbound on that home.'
      : `No added delay: the kernel of the last run has no netem (${noDelayReason.replace(/\.$/, '')}); the suite prints the same when it runs.`;
  const text = `# Calls behind NATs and firewalls

This file is written by \`test/nat/nat-matrix.browser.test.ts\` (part of \`npm test\`, as root)
each time it runs: the table below is the last run's.

## The test network

Linux network namespaces built by the test and removed after it: a public segment
(203.0.113.0/24, a bridge) holds the real server at 203.0.113.1: HTTPS and signaling on
port 8443, the TURN relay on 3478 (UDP and TCP) and TURN over TLS on 443, with
\`PORTHELLO_TURN_ALLOWED_PEERS=203.0.113.0/24\` (the deny-list keeps everything else). Each
home is a router namespace (WAN address on the public segment, nftables NAT and filtering)
with one or two client namespaces on its LAN (10.77.N.0/24), each running its own Chromium.
No namespace has a route to any other network.

- **cone**: full cone: endpoint-independent mapping (the port is kept) and filtering
  (whatever arrives at the WAN address goes to the home's one client).
- **restricted**: port-restricted cone, the common home router: the port is kept, only
  replies from where the client sent get in.
- **symmetric**: \`masquerade random\`: a new port for every destination.
- **no-udp**: a firewall that drops all outbound UDP: TURN over TCP or TLS must carry the call.
- **tcp443**: a firewall that lets out TCP to port 443 only (and the web app's port on the
  server, so the page loads): TURN over TLS on 443 must carry the call.
- **same** (two clients): two people on one LAN behind one NAT. First on a shared LAN (host
  candidates meet); then with the clients isolated from each other on the LAN (bridge port
  isolation, as a guest Wi-Fi does), first with a router that hairpins (RFC 4787 REQ-9: a
  packet to its own public address goes back in to the mapping's owner, from the sender's
  mapping), then without: the direct path then goes through the router's public address, or
  the call is relayed.

Homes in this run: ${homes.join('; ')}.

Member ↔ member calls may connect directly; calls from a call link (guest) are relay-only
by design, so they are relayed in every cell. "Pair" is the selected ICE candidate pair from
getStats on that side: the local candidate type (and, for a relay candidate, how the browser
reaches the relay: udp, tcp or tls), then the remote candidate type. A direct path across
NATs shows \`srflx\` or \`prflx\` candidates (addresses the NATs mapped); \`host\` only on one LAN.

## Last run

${table}

## Firefox (test/nat/nat-firefox.browser.test.ts)

Firefox runs inside the client namespace of a home behind a port-restricted cone, driven by
puppeteer over WebDriver BiDi. Firefox opens that WebSocket on the loopback of its own
namespace, out of the driver's reach; \`test/helpers/netns-bridge.ts\` carries it out through
the stdin and stdout of a process inside the namespace (no network link joins them). A
Firefox member rings a Chromium member in another such home from the directory (expected and
asserted: direct), then a Firefox guest rings that member from the call link (relayed), each
with media both ways; the suite prints its rows in the table's format.

## Bad networks (test/nat/nat-bad-network.browser.test.ts)

- A home that loses 5% of its packets (nftables) and carries 1 Mbit/s (tbf) both ways: a
  member call connects with media both ways, and the other side's screen says the connection
  is weak (more than 3% lost, quality.ts).
  ${delay}
- A home's link cut mid-call until the other side sees the path broken, then back: the call
  recovers with media both ways.
- A move to another network mid-call (the phone's interface goes down and comes back with a
  new address, its home with a new public address): the page's signaling socket then looks
  open but leads nowhere (its TCP connection went with the old address, and even \`close()\`
  waits for a handshake that cannot come). The page checks its socket every 10 s with an
  application ping (LIVENESS_PING in server/signal/protocol.ts) answered by the signaler; one
  silent for 5 s is dropped and replaced, the call resumes on the new socket, and the caller
  re-sends the ICE restart offer that went with the dead socket. The call recovers with a new
  path, media both ways, typically 3–10 s after the network is back.
- The relay unreachable: a guest whose router drops the relay's ports (UDP and TCP 3478, TCP
  443) rings a member; the guest's screen says "Cannot connect: this network seems to block the
  way to the server's relay", and the router's counters show the browser did try the relay.
  The page says so at once when gathering ends with no candidate, else 30 s after the call
  started; with the packets dropped (no answer at all, not even a refusal) the browser keeps
  trying, so here it is the 30 s deadline (FIRST_CONNECT_DEADLINE_MS in the call engine).

## Not covered here

- A web app on 443 together with TURN/TLS on 443: the \`turns:\` URL uses the public URL's
  host, so both cannot share one address and port; the tcp443 home is therefore allowed
  the web app's port.
- Firefox in the other cells, and Firefox behind the firewalls (TURN over TCP or TLS): its
  one cell shows that Firefox connects from a NAT, directly and through the relay.
- A hairpinning router that finds the mapping's owner among more than two clients: nftables
  cannot look a destination port up in the NAT's mappings, so the test's router sends each of
  its two clients' packets to the other.
`;
  mkdirSync(projectPath('docs'), { recursive: true });
  writeFileSync(projectPath('docs', 'nat.md'), text);
}
