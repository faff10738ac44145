// A test network of Linux network namespaces: a "public" segment (a bridge in its own namespace,
// where the server runs) and "homes", each one or more client namespaces on a LAN behind a
// router namespace that NATs and filters with nftables. No link leaves the namespaces the test
// creates, and no namespace has a route to anything else: nothing reaches another network.
// Every name carries a random run id, with a marker file written when the run starts, so
// leftovers of a killed run are recognised (no marker, or one older than any run lasts) and
// removed at the next start without touching a concurrent run. Process ids cannot tell: the
// test runner gives each suite its own PID namespace, where every suite is PID 1.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How a home's router maps and filters (RFC 4787 terms in the comments of `natRules`). */
export type NatKind = 'cone' | 'restricted' | 'symmetric' | 'no-udp' | 'tcp443';
export type HomeSpec = Readonly<{ name: string; nat: NatKind; clients: number }>;
export type Client = Readonly<{ home: HomeSpec; ns: string; address: string }>;

export const NAME_PREFIX = 'phnat-';
const BRIDGE_PROGRAM = fileURLToPath(new URL('./netns-bridge.js', import.meta.url));
/** This run's id in every name it makes. */
const RUN_ID = randomBytes(3).toString('hex');
/** Marker files of running runs (tmpfs: gone after a reboot, like the namespaces). */
const RUNS_DIR = '/run/porthello-nat-runs';
/** Longer than any run lasts (the test runner kills a suite after 5 minutes). */
const LEFTOVER_AFTER_MS = 30 * 60_000;
/** The public segment: TEST-NET-3, which the relay's deny-list covers unless allowed. */
export const PUBLIC_RANGE = '203.0.113.0/24';
export const SERVER_ADDRESS = '203.0.113.1';
/** The port the web app listens on; the TCP-443-only firewall lets the page reach it (see docs/nat.md). */
export const WEB_PORT = 8443;
/** Homes' LANs are 10.<LAN_OCTET>.<home>.0/24. */
const LAN_OCTET = 77;
/** A home's router WAN address is 203.0.113.(WAN_BASE + home index). */
const WAN_BASE = 10;
const MAX_HOMES = 200;
const COMMAND_TIMEOUT_MS = 10_000;

export type TestNetwork = Readonly<{
  publicNs: string;
  clients: readonly Client[];
  client(home: string, index?: number): Client;
  /** An executable that runs `program` inside the client's namespace (for a browser driver's executablePath). */
  wrapperFor(client: Client, program: string): string;
  /** The same for a browser whose WebDriver BiDi endpoint (on the namespace's loopback) must reach the test: see ./netns-bridge.ts. */
  bridgedWrapperFor(client: Client, program: string): string;
  /** The command prefix that runs a program inside a namespace. */
  execPrefix(ns: string): string[];
  /** The namespace of a home's router (its WAN link is "wan", its LAN bridge port to client k is "c<k>"). */
  routerOf(home: string): string;
  /** Runs a command inside a namespace; throws with its stderr when it fails. */
  exec(ns: string, args: readonly string[]): string;
  /** Loads nftables rules (`nft -f -` syntax) into a home's router. */
  loadRules(home: string, rules: string): void;
  /** Turns Wi-Fi-style client isolation on or off: the home's clients reach each other only through the router. */
  isolateClients(home: string, isolated: boolean): void;
  /** Turns the router's hairpin on or off (a two-client home): see `hairpinRules`. */
  setHairpin(home: string, on: boolean): void;
  /** The router's current address on the public segment. */
  publicAddressOf(home: string): string;
  /** Removes every namespace of this network and the processes in them; synchronous, so it runs on exit too. */
  destroy(): void;
}>;

function run(command: string, args: readonly string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, ...(input === undefined ? {} : { input }) });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${String(result.status ?? result.signal)}): ${result.stderr}${result.error?.message ?? ''}`);
  return result.stdout;
}

function inNs(ns: string, args: readonly string[], input?: string): string {
  return run('ip', ['netns', 'exec', ns, ...args], input);
}

/** Why this machine cannot build the network, or null when it can (root, iproute2 with netns, nft). */
export function networkUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'not root: network namespaces and nftables need root';
  for (const [command, args] of [
    ['ip', ['-V']],
    ['nft', ['--version']],
  ] as const) {
    const probe = spawnSync(command, args, { encoding: 'utf8' });
    if (probe.status !== 0) return `${command} is missing (apt-get install -y iproute2 nftables)`;
  }
  const probeName = `${NAME_PREFIX}${RUN_ID}-probe`;
  const added = spawnSync('ip', ['netns', 'add', probeName], { encoding: 'utf8' });
  if (added.status !== 0) return `ip netns add fails here: ${added.stderr.trim()}`;
  const nft = spawnSync('ip', ['netns', 'exec', probeName, 'nft', 'add', 'table', 'ip', 'probe'], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'del', probeName]);
  if (nft.status !== 0) return `nft fails inside a namespace: ${nft.stderr.trim()}`;
  return null;
}

/**
 * Why `tc netem` (added delay) cannot be used here, or null when it can: tried on a veth pair in
 * a namespace of its own. Kernels built without CONFIG_NET_SCH_NETEM (and without modules to
 * load it) answer "Specified qdisc kind is unknown".
 */
export function netemUnavailableReason(): string | null {
  const probeName = `${NAME_PREFIX}${RUN_ID}-netem`;
  const added = spawnSync('ip', ['netns', 'add', probeName], { encoding: 'utf8' });
  if (added.status !== 0) return `ip netns add fails here: ${added.stderr.trim()}`;
  try {
    inNs(probeName, ['ip', 'link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1']);
    const netem = spawnSync('ip', ['netns', 'exec', probeName, 'tc', 'qdisc', 'add', 'dev', 'probe0', 'root', 'netem', 'delay', '1ms'], {
      encoding: 'utf8',
    });
    return netem.status === 0 ? null : `tc netem fails on this kernel: ${netem.stderr.trim() || String(netem.error?.message)}`;
  } finally {
    spawnSync('ip', ['netns', 'del', probeName]);
  }
}

function namespacesOf(runId: string | null): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(NAME_PREFIX) && (runId === null || name.startsWith(`${NAME_PREFIX}${runId}-`)));
}

/** Whether the run that made a namespace may still be going: its marker exists and is recent. */
function isRunning(runId: string): boolean {
  try {
    return Date.now() - statSync(join(RUNS_DIR, runId)).mtimeMs < LEFTOVER_AFTER_MS;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Kills what runs in a namespace (a browser or server left by a killed run), then removes it. */
function removeNamespace(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((line) => /^\d+$/.test(line));
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  spawnSync('ip', ['netns', 'del', ns]);
}

/** Removes the namespaces of earlier runs whose process is gone. */
export function removeLeftovers(): string[] {
  const stale = namespacesOf(null).filter((name) => {
    const runId = /^phnat-([^-]+)-/.exec(name)?.[1];
    return runId !== undefined && !isRunning(runId);
  });
  stale.forEach(removeNamespace);
  // Markers of killed runs whose namespaces are gone (or never were made).
  if (existsSync(RUNS_DIR)) for (const runId of readdirSync(RUNS_DIR)) if (!isRunning(runId)) rmSync(join(RUNS_DIR, runId), { force: true });
  return stale;
}

/**
 * The router's nftables rules. `cone`: endpoint-independent mapping (masquerade keeps the port)
 * and filtering (anything arriving on the WAN is forwarded to the home's one client: full cone).
 * `restricted`: the same mapping, address-and-port-dependent filtering (conntrack). `symmetric`:
 * a new random port per destination. `no-udp`: no outbound UDP at all. `tcp443`: outbound TCP to
 * port 443 only, plus the web app's port on the server (the page must load).
 */
function natRules(nat: NatKind, firstClient: string): string {
  const masquerade = nat === 'symmetric' ? 'masquerade random' : 'masquerade';
  const outbound: Record<NatKind, string[]> = {
    cone: ['accept'],
    restricted: ['accept'],
    symmetric: ['accept'],
    'no-udp': ['meta l4proto tcp accept'],
    tcp443: ['tcp dport 443 accept', `ip daddr ${SERVER_ADDRESS} tcp dport ${WEB_PORT} accept`],
  };
  return [
    'table ip nat {',
    '  chain post { type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "wan" ${masquerade}`,
    '  }',
    ...(nat === 'cone'
      ? ['  chain pre { type nat hook prerouting priority dstnat; policy accept;', `    iifname "wan" meta l4proto udp dnat to ${firstClient}`, '  }']
      : []),
    '}',
    'table ip filter {',
    // Unsolicited packets to the router itself are dropped before conntrack confirms them: an
    // entry (and an ICMP error) left by a peer's early check would make masquerade pick another
    // port for the client's own packets to that peer, turning a cone into a symmetric NAT.
    '  chain input { type filter hook input priority filter; policy drop;',
    '    ct state established,related accept',
    '    iifname { "lo", "lan" } accept',
    '  }',
    '  chain forward { type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    // Only what the hairpin table (hairpinRules) sent back into the LAN.
    '    iifname "lan" oifname "lan" ct status dnat accept',
    ...(nat === 'cone' ? ['    iifname "wan" ct status dnat accept'] : []),
    ...outbound[nat].map((rule) => `    iifname "lan" oifname "wan" ${rule}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

const HAIRPIN_TABLE = 'hairpin';

/**
 * A router that hairpins: a packet from a client to the router's own public address goes to the
 * mapping's owner, from the sender's mapping (the public address and, port-preserving
 * masquerade, the sender's own port), as RFC 4787 REQ-9 asks. A real router finds the owner in
 * its mapping table, which nftables cannot look a destination port up in; in a home of two
 * clients the owner can only be the other one, so each client's packets go to the other.
 */
function hairpinRules(wan: string, clientA: string, clientB: string): string {
  return [
    `table ip ${HAIRPIN_TABLE} {`,
    '  chain pre { type nat hook prerouting priority dstnat; policy accept;',
    `    iifname "lan" ip saddr ${clientA} ip daddr ${wan} dnat to ${clientB}`,
    `    iifname "lan" ip saddr ${clientB} ip daddr ${wan} dnat to ${clientA}`,
    '  }',
    '  chain post { type nat hook postrouting priority srcnat; policy accept;',
    `    iifname "lan" oifname "lan" ct status dnat snat to ${wan}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

function disableIpv6(ns: string): void {
  // No IPv6 link-local paths: every address in the matrix is one the test chose.
  inNs(ns, ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
}

function addNamespace(ns: string): void {
  run('ip', ['netns', 'add', ns]);
  disableIpv6(ns);
}

/** A bridge whose frames skip the ip-family netfilter hooks (br_netfilter may be loaded on the host). */
function addBridge(ns: string, name: string, address: string): void {
  inNs(ns, ['ip', 'link', 'add', name, 'type', 'bridge']);
  inNs(ns, ['sh', '-c', 'f=/proc/sys/net/bridge/bridge-nf-call-iptables; [ ! -e $f ] || echo 0 > $f']);
  inNs(ns, ['ip', 'addr', 'add', address, 'dev', name]);
  inNs(ns, ['ip', 'link', 'set', name, 'up']);
}

export function buildNetwork(homes: readonly HomeSpec[]): TestNetwork {
  if (homes.length > MAX_HOMES) throw new Error(`at most ${MAX_HOMES} homes`);
  const id = `${NAME_PREFIX}${RUN_ID}`;
  mkdirSync(RUNS_DIR, { recursive: true });
  writeFileSync(join(RUNS_DIR, RUN_ID), '');
  const publicNs = `${id}-pub`;
  const scratch = mkdtempSync(join(tmpdir(), `${id}-`));
  const clients: Client[] = [];
  const destroy = (): void => {
    namespacesOf(RUN_ID).forEach(removeNamespace);
    rmSync(join(RUNS_DIR, RUN_ID), { force: true });
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    addNamespace(publicNs);
    addBridge(publicNs, 'br0', `${SERVER_ADDRESS}/24`);
    homes.forEach((home, index) => {
      const router = `${id}-${home.name}-r`;
      const lan = `10.${LAN_OCTET}.${index + 1}`;
      addNamespace(router);
      inNs(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      run('ip', ['-n', router, 'link', 'add', 'wan', 'type', 'veth', 'peer', 'name', `h${index + 1}`, 'netns', publicNs]);
      run('ip', ['-n', publicNs, 'link', 'set', `h${index + 1}`, 'master', 'br0', 'up']);
      inNs(router, ['ip', 'addr', 'add', `203.0.113.${WAN_BASE + index + 1}/24`, 'dev', 'wan']);
      inNs(router, ['ip', 'link', 'set', 'wan', 'up']);
      addBridge(router, 'lan', `${lan}.1/24`);
      for (let k = 0; k < home.clients; k += 1) {
        const ns = `${id}-${home.name}-c${k}`;
        const address = `${lan}.${k + 2}`;
        addNamespace(ns);
        run('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `c${k}`, 'netns', router]);
        run('ip', ['-n', router, 'link', 'set', `c${k}`, 'master', 'lan', 'up']);
        inNs(ns, ['ip', 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
        inNs(ns, ['ip', 'link', 'set', 'eth0', 'up']);
        // The router is the only way out, and it leads nowhere but the public segment.
        inNs(ns, ['ip', 'route', 'add', 'default', 'via', `${lan}.1`]);
        clients.push({ home, ns, address });
      }
      inNs(router, ['nft', '-f', '-'], natRules(home.nat, `${lan}.2`));
    });
  } catch (error) {
    destroy();
    throw error;
  }
  const writeWrapper = (client: Client, name: string, command: string): string => {
    const path = join(scratch, `${client.home.name}-${client.ns.slice(-2)}-${name.replace(/\W/g, '_')}`);
    writeFileSync(path, `#!/bin/sh\nexec ${command} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const routerOf = (home: string): string => {
    if (!homes.some((spec) => spec.name === home)) throw new Error(`no home ${home}`);
    return `${id}-${home}-r`;
  };
  const publicAddressOf = (home: string): string => {
    const wan = /inet ([\d.]+)\//.exec(inNs(routerOf(home), ['ip', '-4', '-o', 'addr', 'show', 'dev', 'wan']))?.[1];
    if (wan === undefined) throw new Error(`${home}'s router has no WAN address`);
    return wan;
  };
  const clientsOf = (home: string): Client[] => clients.filter((client) => client.home.name === home);
  /** The client's port on its router's LAN bridge. */
  const portOf = (client: Client): string => client.ns.slice(client.ns.lastIndexOf('-') + 1);
  return {
    publicNs,
    clients,
    client(home, index = 0) {
      const found = clients.find((client) => client.home.name === home && client.ns.endsWith(`-c${index}`));
      if (found === undefined) throw new Error(`no client ${index} in home ${home}`);
      return found;
    },
    wrapperFor: (client, program) => writeWrapper(client, program, `ip netns exec ${client.ns} ${program}`),
    bridgedWrapperFor: (client, program) => writeWrapper(client, `bridged-${program}`, `${process.execPath} ${BRIDGE_PROGRAM} launch ${client.ns} ${program}`),
    execPrefix: (ns) => ['ip', 'netns', 'exec', ns],
    routerOf,
    exec: (ns, args) => inNs(ns, args),
    loadRules: (home, rules) => void inNs(routerOf(home), ['nft', '-f', '-'], rules),
    isolateClients(home, isolated) {
      const router = routerOf(home);
      for (const client of clientsOf(home)) inNs(router, ['bridge', 'link', 'set', 'dev', portOf(client), 'isolated', isolated ? 'on' : 'off']);
    },
    setHairpin(home, on) {
      const router = routerOf(home);
      const [a, b, ...more] = clientsOf(home);
      if (a === undefined || b === undefined || more.length > 0) throw new Error(`hairpin needs a home of two clients, ${home} is not`);
      if (!on) return void inNs(router, ['nft', 'delete', 'table', 'ip', HAIRPIN_TABLE]);
      inNs(router, ['nft', '-f', '-'], hairpinRules(publicAddressOf(home), a.address, b.address));
    },
    publicAddressOf,
    destroy,
  };
}
