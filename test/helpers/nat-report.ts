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

export function writeMatrixDoc(table: string, homes: readonly string[]): void {
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
- **same** (two clients): two people on one LAN behind one NAT.

Homes in this run: ${homes.join('; ')}.

Member ↔ member calls may connect directly; calls from a call link (guest) are relay-only
by design, so they are relayed in every cell. "Pair" is the selected ICE candidate pair from
getStats on that side: the local candidate type (and, for a relay candidate, how the browser
reaches the relay: udp, tcp or tls), then the remote candidate type. A direct path across
NATs shows \`srflx\` or \`prflx\` candidates (addresses the NATs mapped); \`host\` only on one LAN.

## Last run

${table}

## Bad networks (test/nat/nat-bad-network.browser.test.ts)

- A home that loses 5% of its packets (nftables) and carries 1 Mbit/s (tbf) both ways: a
  member call connects with media both ways, and the other side's screen says the connection
  is weak (more than 3% lost, quality.ts). No added delay: the kernel these tests run on has
  no netem.
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
- Not built here: the relay made unreachable inside the lab. A guest whose relay cannot be
  reached is told "Cannot connect: this network seems to block the way to the server's relay"
  (at once when gathering ends with no candidate, else 30 s after the call started); that is
  tested with a closed relay port in test/browser/call-screen.browser.test.ts.

## Not covered here

- A web app on 443 together with TURN/TLS on 443: the \`turns:\` URL uses the public URL's
  host, so both cannot share one address and port; the tcp443 home is therefore allowed
  the web app's port.
- Firefox on one side of a cell: puppeteer's Firefox is driven over a WebSocket on the
  browser's loopback, which a browser inside a client namespace does not share with the test.
- True hairpinning (two clients isolated from each other on one LAN, reaching each other
  through the NAT's public address) is not built: the "same" home shares one LAN.
`;
  mkdirSync(projectPath('docs'), { recursive: true });
  writeFileSync(projectPath('docs', 'nat.md'), text);
}
