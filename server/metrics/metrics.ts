// What GET /metrics reports, in Prometheus text format: open sockets, calls, call outcomes, the
// relay's traffic and refusals, HTTP requests, and the process (memory, event-loop delay, CPU).
// Labels carry only fixed vocabularies (a route's pattern, a status, an outcome, a STUN code),
// never a path as requested, an address, a name or an id: monitoring must not become a log of
// who called whom.
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { CallOutcome } from '../signal/deps.js';
import type { HubCensus } from '../signal/hub-api.js';
import type { RelayStatistics } from '../turn/relay.js';

/** Where the gauges read their values at scrape time (filled once the parts exist). */
export type MetricsSources = {
  census(): HubCensus;
  /** restarts: how often the relay's thread was started again after it ended (the relay in a worker only). */
  relay: Readonly<{ statistics(): RelayStatistics; allocationCount(): number; restarts?(): number }> | null;
};

export type Metrics = Readonly<{
  registry: Registry;
  countRequest(route: string, method: string, status: number): void;
  countCallOutcome(outcome: CallOutcome): void;
  /** Connects the gauges to the running hub and relay. */
  observe(sources: MetricsSources): void;
}>;

/** HTTP methods beyond these are counted as "other": a client cannot grow the label set. */
const COUNTED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let sources: MetricsSources | null = null;

  const requests = new Counter({
    name: 'porthello_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'porthello_call_outcomes_total',
    help: 'Calls ended, by the outcome the callee sees in their log.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'porthello_websockets_open',
    help: 'Open signaling sockets, by kind of party.',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      if (sources === null) return;
      const census = sources.census();
      this.set({ kind: 'member' }, census.memberSockets);
      this.set({ kind: 'guest' }, census.guestSockets);
    },
  });
  new Gauge({
    name: 'porthello_calls',
    help: 'Live calls, ringing or connected.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      if (sources === null) return;
      const census = sources.census();
      this.set({ state: 'ringing' }, census.ringing);
      this.set({ state: 'connected' }, census.connected);
    },
  });
  new Gauge({
    name: 'porthello_relay_allocations',
    help: 'Live allocations on the embedded TURN relay.',
    registers: [registry],
    collect() {
      if (sources?.relay) this.set(sources.relay.allocationCount());
    },
  });
  // Totals kept by the relay itself, set from them at scrape time, one counter per measure.
  for (const [measure, help] of [
    ['bytes', 'Payload bytes the embedded relay forwarded, by direction.'],
    ['packets', 'Packets the embedded relay forwarded, by direction.'],
  ] as const) {
    new Counter({
      name: `porthello_relay_${measure}_total`,
      help,
      labelNames: ['direction'] as const,
      registers: [registry],
      collect() {
        if (!sources?.relay) return;
        const { relayed } = sources.relay.statistics();
        this.reset();
        this.inc({ direction: 'to_peer' }, relayed.toPeer[measure]);
        this.inc({ direction: 'to_client' }, relayed.toClient[measure]);
      },
    });
  }
  new Counter({
    name: 'porthello_relay_restarts_total',
    help: 'Times the embedded relay was back after its thread ended unexpectedly (see the log for why it ended).',
    registers: [registry],
    collect() {
      if (!sources?.relay) return;
      this.reset();
      this.inc(sources.relay.restarts?.() ?? 0);
    },
  });
  new Counter({
    name: 'porthello_turn_errors_total',
    help: 'Error responses the embedded relay sent, by STUN error code; "handler" counts dropped packets whose handling failed.',
    labelNames: ['code'] as const,
    registers: [registry],
    collect() {
      if (!sources?.relay) return;
      const statistics = sources.relay.statistics();
      this.reset();
      for (const [code, count] of statistics.errorResponses) this.inc({ code: String(code) }, count);
      if (statistics.handlerErrors > 0) this.inc({ code: 'handler' }, statistics.handlerErrors);
    },
  });

  return {
    registry,
    countRequest(route, method, status) {
      requests.inc({ route, method: COUNTED_METHODS.has(method) ? method : 'other', status: String(status) });
    },
    countCallOutcome(outcome) {
      outcomes.inc({ outcome });
    },
    observe(next) {
      sources = next;
    },
  };
}
