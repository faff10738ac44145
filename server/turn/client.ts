// A small TURN client (RFC 8656), on top of the codec in stun.ts, over one UDP socket. The relay's
// start-up self-test uses it to allocate and relay one packet through the relay, and the relay's
// tests use it as an independent probe of node-turn. It only ever talks to addresses its caller
// gives it.
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  ATTR,
  CLASS,
  METHOD,
  TRANSPORT_UDP,
  attribute,
  decodeMessage,
  decodeXorAddress,
  encodeMessage,
  encodeXorAddress,
  errorCode,
  longTermKey,
  padded,
  u32,
  type Attribute,
  type StunMessage,
  type TransportAddress,
} from './stun.js';

export type Credentials = { username: string; password: string };

export class TurnError extends Error {
  readonly code: number;
  constructor(code: number, what: string) {
    super(`${what} failed with ${code}`);
    this.code = code;
  }
}

/** What a TurnClient received from its relay that was not a response: relayed data. */
type Delivery = { peer: TransportAddress | null; channel: number | null; data: Buffer };

/**
 * Everything a TURN client does whatever carries its packets: requests signed with the long-term
 * credentials (401/438 answers are retried once with the realm and nonce they carry), and the
 * relayed data that arrives. A subclass sends packets and hands every whole one it receives to
 * `receive`: TurnClient over UDP here, a TCP one in the tests.
 */
export abstract class TurnRequests {
  private credentials: Credentials | null;
  private realm = '';
  private nonce = '';
  private key: Buffer | null = null;
  protected readonly pending = new Map<string, (message: StunMessage) => void>();
  private readonly deliveries: Delivery[] = [];
  private deliveryWaiter: (() => void) | null = null;
  /** Every response received, for tests that inspect what the relay sent. */
  readonly responses: StunMessage[] = [];

  protected constructor(credentials: Credentials | null) {
    this.credentials = credentials;
  }

  abstract sendRaw(raw: Buffer): void;
  /** Sends `raw` and waits for the response with `transactionId`, or throws after timeoutMs. */
  abstract exchange(raw: Buffer, transactionId: Buffer, timeoutMs: number): Promise<StunMessage>;
  abstract close(): Promise<void>;

  get integrityKey(): Buffer | null {
    return this.key;
  }

  useCredentials(credentials: Credentials): void {
    this.credentials = credentials;
    this.key = null;
  }

  /** The attributes that sign a request as this client (meaningful after the first 401). */
  authAttributes(): Attribute[] {
    if (this.credentials === null) return [];
    return [
      { type: ATTR.USERNAME, value: Buffer.from(this.credentials.username) },
      { type: ATTR.REALM, value: Buffer.from(this.realm) },
      { type: ATTR.NONCE, value: Buffer.from(this.nonce) },
    ];
  }

  /** One whole packet from the relay: ChannelData, a Data indication or a response. */
  protected receive(raw: Buffer): void {
    if (raw.length >= 4 && (raw[0] as number) >> 6 === 1) {
      const length = raw.readUInt16BE(2);
      if (4 + length <= raw.length) this.deliver({ peer: null, channel: raw.readUInt16BE(0), data: Buffer.from(raw.subarray(4, 4 + length)) });
      return;
    }
    const message = decodeMessage(raw);
    if (message === null) return;
    if (message.cls === CLASS.INDICATION && message.method === METHOD.DATA) {
      const peer = attribute(message, ATTR.XOR_PEER_ADDRESS);
      const data = attribute(message, ATTR.DATA);
      if (peer !== undefined && data !== undefined) {
        this.deliver({ peer: decodeXorAddress(peer, message.transactionId), channel: null, data: Buffer.from(data) });
      }
      return;
    }
    const waiter = this.pending.get(message.transactionId.toString('hex'));
    if (waiter !== undefined) {
      this.responses.push(message);
      waiter(message);
    }
  }

  private deliver(delivery: Delivery): void {
    this.deliveries.push(delivery);
    this.deliveryWaiter?.();
  }

  /** Waits for the next relayed packet, or null after timeoutMs. */
  async nextData(timeoutMs: number): Promise<Delivery | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.deliveries.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.deliveryWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.deliveryWaiter = null;
    }
    return this.deliveries.shift() ?? null;
  }

  /**
   * Sends one request and waits for its response (success or error), or throws after timeoutMs.
   * `attributes` may depend on the transaction id (XOR-PEER-ADDRESS for IPv6 peers does).
   * A 401 or 438 carrying a realm and nonce is retried once, signed with them.
   */
  async transact(
    method: number,
    attributes: Attribute[] | ((transactionId: Buffer) => Attribute[]),
    options: { timeoutMs?: number; fingerprint?: boolean; authenticate?: boolean } = {},
  ): Promise<StunMessage> {
    const timeoutMs = options.timeoutMs ?? 2000;
    const authenticate = options.authenticate ?? this.credentials !== null;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const transactionId = randomBytes(12);
      const signed = authenticate && this.key !== null && this.credentials !== null;
      const auth = signed ? this.authAttributes() : [];
      const raw = encodeMessage({
        method,
        cls: CLASS.REQUEST,
        transactionId,
        attributes: [...(typeof attributes === 'function' ? attributes(transactionId) : attributes), ...auth],
        integrityKey: signed ? (this.key ?? undefined) : undefined,
        fingerprint: options.fingerprint ?? false,
      });
      const response = await this.exchange(raw, transactionId, timeoutMs);
      const code = errorCode(response);
      if (authenticate && this.credentials !== null && (code === 401 || code === 438) && attempt === 0) {
        const realm = attribute(response, ATTR.REALM);
        const nonce = attribute(response, ATTR.NONCE);
        if (realm === undefined || nonce === undefined) return response;
        this.realm = realm.toString();
        this.nonce = nonce.toString();
        this.key = longTermKey(this.credentials.username, this.realm, this.credentials.password);
        continue;
      }
      return response;
    }
    throw new Error('unreachable: the loop returns on its second attempt');
  }

  async allocate(
    options: { lifetimeS?: number; extra?: Attribute[] } = {},
  ): Promise<{ relayed: TransportAddress; mapped: TransportAddress | null; lifetimeS: number }> {
    const attributes: Attribute[] = [{ type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) }];
    if (options.lifetimeS !== undefined) attributes.push({ type: ATTR.LIFETIME, value: u32(options.lifetimeS) });
    attributes.push(...(options.extra ?? []));
    const response = await this.transact(METHOD.ALLOCATE, attributes);
    const code = errorCode(response);
    if (code !== null) throw new TurnError(code, 'Allocate');
    const relayed = attribute(response, ATTR.XOR_RELAYED_ADDRESS);
    const mapped = attribute(response, ATTR.XOR_MAPPED_ADDRESS);
    const lifetime = attribute(response, ATTR.LIFETIME);
    if (relayed === undefined) throw new Error('Allocate success without XOR-RELAYED-ADDRESS');
    return {
      relayed: decodeXorAddress(relayed, response.transactionId),
      mapped: mapped === undefined ? null : decodeXorAddress(mapped, response.transactionId),
      lifetimeS: lifetime === undefined ? -1 : lifetime.readUInt32BE(0),
    };
  }

  /** Returns the granted lifetime in seconds, or throws TurnError. */
  async refresh(lifetimeS: number): Promise<number> {
    const response = await this.transact(METHOD.REFRESH, [{ type: ATTR.LIFETIME, value: u32(lifetimeS) }]);
    const code = errorCode(response);
    if (code !== null) throw new TurnError(code, 'Refresh');
    return attribute(response, ATTR.LIFETIME)?.readUInt32BE(0) ?? -1;
  }

  /** Resolves to the response (check errorCode) so tests can assert refusals. */
  createPermission(peers: TransportAddress[]): Promise<StunMessage> {
    return this.transact(METHOD.CREATE_PERMISSION, (transactionId) =>
      peers.map((peer) => ({ type: ATTR.XOR_PEER_ADDRESS, value: encodeXorAddress(peer, transactionId) })),
    );
  }

  channelBind(channel: number, peer: TransportAddress): Promise<StunMessage> {
    return this.transact(METHOD.CHANNEL_BIND, (transactionId) => [
      { type: ATTR.CHANNEL_NUMBER, value: Buffer.from([channel >> 8, channel & 0xff, 0, 0]) },
      { type: ATTR.XOR_PEER_ADDRESS, value: encodeXorAddress(peer, transactionId) },
    ]);
  }

  sendIndication(peer: TransportAddress, data: Buffer): void {
    const transactionId = randomBytes(12);
    this.sendRaw(
      encodeMessage({
        method: METHOD.SEND,
        cls: CLASS.INDICATION,
        transactionId,
        attributes: [
          { type: ATTR.XOR_PEER_ADDRESS, value: encodeXorAddress(peer, transactionId) },
          { type: ATTR.DATA, value: data },
        ],
      }),
    );
  }

  sendChannelData(channel: number, data: Buffer): void {
    const out = Buffer.alloc(4 + padded(data.length));
    out.writeUInt16BE(channel, 0);
    out.writeUInt16BE(data.length, 2);
    data.copy(out, 4);
    this.sendRaw(out);
  }
}

/**
 * A TURN client over one UDP socket. Requests wait at most `timeoutMs`, retransmitted every
 * RETRANSMIT_MS.
 */
export class TurnClient extends TurnRequests {
  static readonly RETRANSMIT_MS = 250;
  readonly socket: Socket;
  readonly server: TransportAddress;

  private constructor(socket: Socket, server: TransportAddress, credentials: Credentials | null) {
    super(credentials);
    this.socket = socket;
    this.server = server;
    socket.on('message', (raw: Buffer) => this.receive(raw));
  }

  static async open(server: TransportAddress, credentials: Credentials | null, localAddress = '127.0.0.1'): Promise<TurnClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, localAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new TurnClient(socket, server, credentials);
  }

  sendRaw(raw: Buffer): void {
    this.socket.send(raw, this.server.port, this.server.address);
  }

  /** Sends `raw` and retransmits it until the response with `transactionId` arrives. */
  exchange(raw: Buffer, transactionId: Buffer, timeoutMs: number): Promise<StunMessage> {
    const id = transactionId.toString('hex');
    return new Promise((resolve, reject) => {
      const send = (): void => this.sendRaw(raw);
      const retransmit = setInterval(send, TurnClient.RETRANSMIT_MS);
      const timer = setTimeout(() => {
        clearInterval(retransmit);
        this.pending.delete(id);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (message) => {
        clearInterval(retransmit);
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(message);
      });
      send();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
