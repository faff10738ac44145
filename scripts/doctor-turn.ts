// npm run doctor: the relay, probed from outside the server process as a browser would use it.
// The TURN port must answer an unauthenticated Allocate (401 with a realm); then, with real
// credentials, two allocations and one packet from one to the other's relayed port prove the
// relay range passes traffic. Embedded relay credentials live only in the service's memory, so
// they are obtained the way a guest's browser does: a ticket on a call link open to guests,
// then GET /api/ice-servers. External TURN (coturn) credentials are minted from the secret.
import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../server/config.js';
import { TurnClient, type Credentials } from '../server/turn/client.js';
import { ATTR, METHOD, attribute, errorCode } from '../server/turn/stun.js';
import { guestTicketCookieName } from '../server/calls/call-routes.js';
import { requestLocal } from './local-service.js';
import { withDatabase, type Finding } from './doctor-checks.js';

/** How long each TURN exchange and the relayed packet may take. */
const TURN_TIMEOUT_MS = 3000;
/** The name the probe gives as a guest: visible to no one, the probe never rings. */
const PROBE_GUEST_NAME = 'Porthello doctor';
/** External mode: the probe's REST credential lives this long. */
const PROBE_CREDENTIAL_TTL_S = 300;

export async function checkTurn(config: Config, localOrigin: string, databasePath: string | null): Promise<Finding[]> {
  const name = 'TURN relay';
  if (config.turn.port === 0 && config.turn.external === null)
    return [
      {
        name,
        level: 'warn',
        message: 'the embedded relay is off (PORTHELLO_TURN_PORT=0) and no external TURN is set: calls between two NATs will not connect',
        fix: 'set PORTHELLO_TURN_PORT=3478, or PORTHELLO_TURN_URLS and PORTHELLO_TURN_SECRET',
      },
    ];
  if (config.turn.external !== null) {
    const target = firstUdpServer(config.turn.external.urls);
    if (target === null) return [{ name, level: 'warn', message: 'no turn: URL over UDP among PORTHELLO_TURN_URLS to probe' }];
    const username = `${Math.floor(Date.now() / 1000) + PROBE_CREDENTIAL_TTL_S}:doctor-${randomBytes(8).toString('base64url')}`;
    const password = createHmac('sha1', config.turn.external.secret).update(username).digest('base64');
    return [await relayOnePacket(target, { username, password })];
  }
  const server = { address: config.turn.host, port: config.turn.port };
  const findings: Finding[] = [];
  const answered = await answersAllocate(server);
  if (answered !== null)
    return [
      {
        name,
        level: 'fail',
        message: `the TURN port ${server.address}:${server.port}/udp does not answer: ${answered}`,
        fix: 'start the service (systemctl status porthello), and check PORTHELLO_TURN_HOST and PORTHELLO_TURN_PORT',
      },
    ];
  findings.push({ name: 'TURN port', level: 'ok', message: `${server.address}:${server.port}/udp answers and asks for credentials` });

  const credentials = await guestCredentials(localOrigin, config.publicOrigin, databasePath);
  if (typeof credentials === 'string') {
    findings.push({
      name: 'TURN relay range',
      level: 'warn',
      message: `not probed: ${credentials}`,
      fix: 'run npm run doctor again once a member has signed up',
    });
    return findings;
  }
  findings.push(await relayOnePacket(server, credentials));
  return findings;
}

function firstUdpServer(urls: readonly string[]): { address: string; port: number } | null {
  for (const url of urls) {
    const match = /^turn:([^:?]+|\[[^\]]+\])(?::(\d+))?(\?transport=udp)?$/.exec(url);
    if (match !== null) return { address: (match[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(match[2] ?? 3478) };
  }
  return null;
}

/** null when the port answered an Allocate without credentials with 401 and a realm. */
async function answersAllocate(server: { address: string; port: number }): Promise<string | null> {
  const client = await TurnClient.open(server, null, '0.0.0.0');
  try {
    const response = await client.transact(METHOD.ALLOCATE, [{ type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([17, 0, 0, 0]) }], {
      timeoutMs: TURN_TIMEOUT_MS,
    });
    if (errorCode(response) === 401 && attribute(response, ATTR.REALM) !== undefined) return null;
    return `unexpected answer (error ${errorCode(response) ?? 'none'})`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.close();
  }
}

/** A guest's credentials for the embedded relay, or why none could be had. */
async function guestCredentials(localOrigin: string, publicOrigin: string, databasePath: string | null): Promise<Credentials | string> {
  if (databasePath === null) return 'no database yet';
  const code = withDatabase(
    databasePath,
    (db) => (db.prepare('SELECT code FROM call_links WHERE guests_allowed = 1 LIMIT 1').get() as { code: string } | undefined)?.code,
  );
  if (code === undefined) return 'no call link open to guests yet, and the relay only serves callers';
  const headers = { Origin: publicOrigin, 'Content-Type': 'application/json' };
  const ticket = await requestLocal(`${localOrigin}/api/links/${encodeURIComponent(code)}/tickets`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ displayName: PROBE_GUEST_NAME }),
  });
  const cookieName = guestTicketCookieName(publicOrigin.startsWith('https:'));
  const cookie = [ticket.headers['set-cookie'] ?? []].flat().find((line) => line.startsWith(`${cookieName}=`));
  if (ticket.status !== 201 || cookie === undefined) return `the service refused a guest ticket (${ticket.status})`;
  const ice = await requestLocal(`${localOrigin}/api/ice-servers`, { headers: { Origin: publicOrigin, Cookie: cookie.split(';')[0] ?? '' } });
  if (ice.status !== 200) return `GET /api/ice-servers answered ${ice.status}`;
  const servers = (JSON.parse(ice.body) as { iceServers?: Array<{ username?: string; credential?: string }> }).iceServers ?? [];
  const first = servers.find((server) => typeof server.username === 'string' && typeof server.credential === 'string');
  if (first === undefined) return 'GET /api/ice-servers gave no credentials';
  return { username: first.username ?? '', password: first.credential ?? '' };
}

/** Two allocations; one packet from A reaches B through B's relayed port. */
async function relayOnePacket(server: { address: string; port: number }, credentials: Credentials): Promise<Finding> {
  const name = 'TURN relay range';
  const clients: TurnClient[] = [];
  try {
    const a = await TurnClient.open(server, credentials, '0.0.0.0');
    clients.push(a);
    const b = await TurnClient.open(server, credentials, '0.0.0.0');
    clients.push(b);
    const peerA = (await a.allocate()).relayed;
    const peerB = (await b.allocate()).relayed;
    const refused = errorCode(await b.createPermission([peerA])) ?? errorCode(await a.createPermission([peerB]));
    if (refused !== null)
      return {
        name,
        level: 'fail',
        message: `CreatePermission refused (${refused})`,
        fix: "check PORTHELLO_TURN_EXTERNAL_IP: it must be this box's public address",
      };
    const payload = randomBytes(16);
    a.sendIndication(peerB, payload);
    const delivered = await b.nextData(TURN_TIMEOUT_MS);
    if (delivered === null || !delivered.data.equals(payload)) {
      return {
        name,
        level: 'fail',
        message: `allocated relay ports ${peerA.port} and ${peerB.port}, but a packet between them did not arrive`,
        fix: 'open the relay range (PORTHELLO_TURN_RELAY_PORTS) for UDP in the firewall',
      };
    }
    return { name, level: 'ok', message: `allocated ${peerA.address}:${peerA.port} and ${peerB.address}:${peerB.port} and relayed a packet between them` };
  } catch (error) {
    return {
      name,
      level: 'fail',
      message: `allocation failed: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'check the TURN port and relay range in the firewall, and journalctl -u porthello',
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}
