// A real HTTP server on port 0 with the real signaler attached, real ws clients, and in-memory
// seams. A test party is named by the `test-party` cookie; an unknown name fails authentication.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createLogger } from '../../server/log.js';
import type { MemberProfile, Party } from '../../server/signal/deps.js';
import { createHub } from '../../server/signal/hub.js';
import type { HubTiming } from '../../server/signal/hub-api.js';
import { SIGNAL_PATH } from '../../server/signal/protocol.js';
import { attachSignaler, type Signaler, type SignalerLimits } from '../../server/signal/server.js';
import { withTimeout } from '../helpers/wait.js';
import { openSignalClient, WAIT_MS, type SignalTestClient, A_COMMITMENT } from '../helpers/ws.js';
import { createCallLog, createIceProvider, createMemberDirectory, guest, linkCodeOf, member } from './fakes.js';

export { WAIT_MS };

export const PARTIES: Readonly<Record<string, Party>> = {
  alice: member('alice', 'Alice Martin'),
  bob: member('bob', 'Bob Durand'),
  carol: member('carol', 'Carol Petit'),
  dan: member('dan', 'Dan Roux'),
  zoe: guest('g-zoe', 'Zoé', 'bob'),
};

const PROFILES: MemberProfile[] = ['alice', 'bob', 'carol', 'dan'].map((id) => {
  const party = PARTIES[id] as Party & { kind: 'member' };
  return {
    memberId: party.memberId,
    displayName: party.displayName,
    guestFacingName: party.guestFacingName,
    prefersRelayOnly: false,
    guestLinkCode: linkCodeOf(party.memberId),
  };
});

export type Client = SignalTestClient;

export type Harness = {
  url: string;
  origin: string;
  hub: ReturnType<typeof createHub>;
  signaler: Signaler;
  callLog: ReturnType<typeof createCallLog>;
  logs: string[];
  /** Opens a socket as a party and, unless told not to, says hello and waits for welcome. */
  connect(name: string, options?: { hello?: boolean; autoPong?: boolean; headers?: Record<string, string> }): Promise<Client>;
  /** The HTTP status an upgrade gets: 101 when it succeeds. */
  upgradeStatus(headers: Record<string, string>, path?: string): Promise<number>;
  close(): Promise<void>;
};

export async function startHarness(options: { timing?: Partial<HubTiming>; limits?: Partial<SignalerLimits>; trustProxy?: boolean } = {}): Promise<Harness> {
  const server: Server = createServer((_request, response) => {
    response.statusCode = 404;
    response.end();
  });
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 'the server to listen');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${SIGNAL_PATH}`;
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const callLog = createCallLog();
  const hub = createHub({ members: createMemberDirectory(PROFILES), callLog, ice: createIceProvider(), log, timing: options.timing ?? {} });
  const signaler = attachSignaler(server, {
    pageOrigins: [origin],
    trustProxy: options.trustProxy ?? false,
    hub,
    log,
    limits: options.limits ?? {},
    authenticate: async (request) => {
      const name = /(?:^|;\s*)test-party=([\w-]+)/.exec(request.headers.cookie ?? '')?.[1];
      return name === undefined ? null : (PARTIES[name] ?? null);
    },
  });
  const opened = new Set<WebSocket>();

  const connect: Harness['connect'] = async (name, connectOptions = {}) => {
    const client = await openSignalClient(url, {
      name,
      headers: { Origin: origin, Cookie: `test-party=${name}`, ...connectOptions.headers },
      ...(connectOptions.hello === undefined ? {} : { hello: connectOptions.hello }),
      ...(connectOptions.autoPong === undefined ? {} : { autoPong: connectOptions.autoPong }),
    });
    opened.add(client.ws);
    return client;
  };

  return {
    url,
    origin,
    hub,
    signaler,
    callLog,
    logs,
    connect,
    upgradeStatus(headers, path = SIGNAL_PATH) {
      const ws = new WebSocket(url.replace(SIGNAL_PATH, path), { headers });
      opened.add(ws);
      ws.on('error', () => {});
      const status = new Promise<number>((resolve) => {
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (request, response) => {
          resolve(response.statusCode ?? 0);
          response.resume();
          request.destroy();
        });
      });
      return withTimeout(status, 'the upgrade to be answered');
    },
    async close() {
      for (const ws of opened) ws.terminate();
      await signaler.close();
      server.closeAllConnections();
      await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 'the server to close');
    },
  };
}

/** Alice calls Bob, Bob accepts; returns both clients and the call id. */
export async function connectedCall(harness: Harness, callerName = 'alice', calleeName = 'bob'): Promise<{ caller: Client; callee: Client; callId: string }> {
  const callee = await harness.connect(calleeName);
  const caller = await harness.connect(callerName);
  const calleeId = (PARTIES[calleeName] as Party & { kind: 'member' }).memberId;
  caller.send({ type: 'invite', calleeMemberId: calleeId, commitment: A_COMMITMENT });
  const { callId } = await callee.next('incoming-call');
  callee.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  await caller.next('call-connected');
  await callee.next('call-connected');
  return { caller, callee, callId };
}
