// Signaling while the relay works: the signaling load's p99 one-way latency with the server's
// embedded relay carrying calls' worth of media packets (relay-load.ts, in its own process),
// against the same signaling load on the same server with the relay idle, in the same run.
// The relay runs in the signaler's process, on a thread of its own (server/turn/relay-worker.ts):
// this is what a busy relay still costs ringing and call set-up.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchScript, freeUdpPortOutside, runJsonChild, startChild } from './common.js';
import { atMost, newRow, type Figure } from './figure.js';
import { makeDataDir, ORIGIN, removeDataDir, signUpMembers, startPorthello } from './porthello.js';
import type { RelayLoadResult, RelayPlan } from './relay-load.js';
import { DRAIN_MS, measureSignaling, type SignalRun } from './signaling.js';

/** Members connected and calls exchanging offers, answers and candidates. */
const MEMBERS = { full: 1000, quick: 400, tiny: 20 } as const;
const CALLS = { full: 100, quick: 100, tiny: 4 } as const;
const DURATION_MS = { full: 30_000, quick: 8_000, tiny: 1_000 } as const;
const SETTLE_MS = { full: 3_000, quick: 1_000, tiny: 300 } as const;
const ROUND_MS = 1_000;
/** 25 calls, both sides relayed: the "50 allocations". */
const RELAY_ALLOCATIONS = { full: 50, quick: 50, tiny: 4 } as const;
/**
 * One side of a video call: 50 audio packets a second (20 ms frames) and ~100 video packets of
 * about 1,000 bytes (≈ 0.8 Mbit/s), so ≈ 150 packets a second of 1,000 bytes each way.
 */
const CALL_PACKETS_PER_S = 150;
const CALL_PACKET_BYTES = 1_000;
/** The relay's ports for this figure (the relay figure uses 57000-60999, the ring figure 55000-55099). */
const RELAY_PORTS: readonly [number, number] = [56000, 56999];
/** How long the relay load may run at most: setting up, the signaling load, and its margins. */
const RELAY_LOAD_MAX_S = 150;
/** Self-tests and allocations for every call, on a loaded box. */
const RELAY_SETUP_TIMEOUT_MS = 60_000;

export const busyRelayFigure: Figure = {
  name: 'busy-relay',
  async run(options) {
    const allocations = RELAY_ALLOCATIONS[options.mode];
    const row = newRow(
      `signaling relay latency p99 while the relay carries ${allocations} allocations at a call's rate`,
      'signaling p99 with the relay idle',
      '≤ 1.2×',
      'ms',
      atMost(1.2),
    );
    const dataDir = makeDataDir();
    try {
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const turnPort = await freeUdpPortOutside(RELAY_PORTS);
        const env = {
          PORTHELLO_TURN_PORT: String(turnPort),
          PORTHELLO_TURN_HOST: '127.0.0.1',
          PORTHELLO_TURN_RELAY_PORTS: RELAY_PORTS.join('-'),
          // Every relayed address is on loopback here; on a real box peers are public addresses.
          PORTHELLO_TURN_ALLOWED_PEERS: '127.0.0.1/32',
        };
        const server = await startPorthello(dataDir, env);
        try {
          const members = await signUpMembers(server.url, MEMBERS[options.mode], `busy-relay-${repeat}`);
          const load = {
            mode: 'porthello' as const,
            url: `${server.url.replace('http', 'ws')}/ws`,
            origin: ORIGIN,
            members,
            calls: CALLS[options.mode],
            settleMs: SETTLE_MS[options.mode],
            durationMs: options.seconds === null ? DURATION_MS[options.mode] : options.seconds * 1000,
            roundMs: ROUND_MS,
            drainMs: DRAIN_MS[options.mode],
          };
          const plan: RelayPlan = {
            url: server.url,
            origin: ORIGIN,
            turnPort,
            allocations,
            packetsPerSecond: CALL_PACKETS_PER_S,
            packetBytes: CALL_PACKET_BYTES,
            maxSeconds: RELAY_LOAD_MAX_S,
          };
          const planFile = join(dataDir, 'relay-plan.json');
          writeFileSync(planFile, JSON.stringify(plan));
          const measureBusy = async (): Promise<{ signal: SignalRun; relayed: RelayLoadResult }> => {
            const relayLoad = startChild(process.execPath, [benchScript('relay-load'), planFile]);
            try {
              await relayLoad.waitFor(/relaying \d+/, RELAY_SETUP_TIMEOUT_MS);
              const signal = await measureSignaling(server.child, load, dataDir);
              // SIGTERM asks it to drain and print its counts; it then exits by itself (stop()
              // would SIGKILL it after 3 s, before a loaded box lets it finish).
              relayLoad.process.kill('SIGTERM');
              return { signal, relayed: await runJsonChild<RelayLoadResult>(relayLoad) };
            } finally {
              await relayLoad.stop();
            }
          };
          // The first run on a fresh server pays for warming up: which one goes first alternates.
          let idle: SignalRun;
          let busy: { signal: SignalRun; relayed: RelayLoadResult };
          if (repeat % 2 === 0) {
            busy = await measureBusy();
            idle = await measureSignaling(server.child, load, dataDir);
          } else {
            idle = await measureSignaling(server.child, load, dataDir);
            busy = await measureBusy();
          }
          const { signal, relayed } = busy;
          row.ours.push(signal.p99Ms);
          row.base.push(idle.p99Ms);
          row.notes.push(
            `repeat ${repeat + 1}: relay ${relayed.allocations} allocations, ${(relayed.sent / relayed.seconds).toFixed(0)} packets/s sent, loss ${(relayed.loss * 100).toFixed(2)}%; signaling p50 ${signal.p50Ms.toFixed(1)} vs ${idle.p50Ms.toFixed(1)} ms idle, lost ${signal.lost}/${signal.messages}`,
          );
          options.log(`  busy relay: p99 ${signal.p99Ms.toFixed(1)} vs ${idle.p99Ms.toFixed(1)} ms idle; relay loss ${(relayed.loss * 100).toFixed(2)}%`);
        } finally {
          await server.stop();
        }
      }
    } finally {
      removeDataDir(dataDir);
    }
    return [row];
  },
};
