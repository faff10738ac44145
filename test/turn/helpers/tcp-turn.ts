// A TURN client over one TCP connection (RFC 8656 section 3.1), for tests: the same requests as
// TurnClient (server/turn/client.ts) but framed on a stream, ChannelData padded to 4 bytes.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { ATTR, CLASS, METHOD, TRANSPORT_UDP, attribute, decodeMessage, decodeXorAddress, encodeMessage, encodeXorAddress, errorCode, longTermKey, padded, type Attribute, type StunMessage, type TransportAddress } from '../../../server/turn/stun.js';
import type { Credentials } from '../../../server/turn/client.js';
import { withTimeout } from './node-turn-fixture.js';

const CONNECT_TIMEOUT_MS = 2000;
const RESPONSE_TIMEOUT_MS = 2000;

type Delivery = { peer: TransportAddress | null; channel: number | null; data: Buffer };

export class TcpTurnClient {
  readonly socket: Socket;
  private credentials: Credentials;
  private realm = '';
  private nonce = '';
  private key: Buffer | null = null;
  private buffered = Buffer.alloc(0);
  private readonly pending = new Map<string, (message: StunMessage) => void>();
  private readonly deliveries: Delivery[] = [];
  private deliveryWaiter: (() => void) | null = null;
  readonly closed: Promise<void>;

  private constructor(socket: Socket, credentials: Credentials) {
    this.socket = socket;
    this.credentials = credentials;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {});
  }

  static async open(server: TransportAddress, credentials: Credentials): Promise<TcpTurnClient> {
    const socket = connect({ host: server.address, port: server.port });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', reject);
      }),
      CONNECT_TIMEOUT_MS,
      'TCP connect to the relay',
    );
    socket.setNoDelay(true);
    return new TcpTurnClient(socket, credentials);
  }

  get integrityKey(): Buffer | null {
    return this.key;
  }

  /** The attributes that sign a request as this client (after the first 401). */
  authAttributes(): Attribute[] {
    return [
      { type: ATTR.USERNAME, value: Buffer.from(this.credentials.username) },
      { type: ATTR.REALM, value: Buffer.from(this.realm) },
      { type: ATTR.NONCE, value: Buffer.from(this.nonce) },
    ];
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const channelData = (this.buffered[0] as number) >> 6 === 1;
      const frame = (channelData ? 4 : 20) + this.buffered.readUInt16BE(2);
      const size = channelData ? padded(frame) : frame;
      if (this.buffered.length < size) return;
      const raw = this.buffered.subarray(0, frame);
      this.buffered = this.buffered.subarray(size);
      if (channelData) {
        this.deliver({ peer: null, channel: raw.readUInt16BE(0), data: Buffer.from(raw.subarray(4)) });
        continue;
      }
      const message = decodeMessage(raw);
      if (message === null) continue;
      if (message.cls === CLASS.INDICATION && message.method === METHOD.DATA) {
        const peer = attribute(message, ATTR.XOR_PEER_ADDRESS);
        const data = attribute(message, ATTR.DATA);
        if (peer !== undefined && data !== undefined) this.deliver({ peer: decodeXorAddress(peer, message.transactionId), channel: null, data: Buffer.from(data) });
        continue;
      }
      this.pending.get(message.transactionId.toString('hex'))?.(message);
    }
  }

  private deliver(delivery: Delivery): void {
    this.deliveries.push(delivery);
    this.deliveryWaiter?.();
  }

  async nextData(timeoutMs: number): Promise<Delivery | null> {
    if (this.deliveries.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.deliveryWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.deliveryWaiter = null;
    }
    return this.deliveries.shift() ?? null;
  }

  sendRaw(raw: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(raw);
  }

  /** Sends `raw` once (TCP is reliable) and waits for the response with `transactionId`. */
  exchange(raw: Buffer, transactionId: Buffer, timeoutMs = RESPONSE_TIMEOUT_MS): Promise<StunMessage> {
    const id = transactionId.toString('hex');
    const answered = new Promise<StunMessage>((resolve) => this.pending.set(id, resolve));
    this.sendRaw(raw);
    return withTimeout(answered, timeoutMs, 'TCP TURN response').finally(() => this.pending.delete(id));
  }

  /** One request, signed once a 401 or 438 has given the realm and nonce (retried once then). */
  async transact(method: number, attributes: Attribute[] | ((transactionId: Buffer) => Attribute[])): Promise<StunMessage> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const transactionId = randomBytes(12);
      const own = typeof attributes === 'function' ? attributes(transactionId) : attributes;
      const raw = encodeMessage({
        method,
        cls: CLASS.REQUEST,
        transactionId,
        attributes: this.key === null ? own : [...own, ...this.authAttributes()],
        ...(this.key === null ? {} : { integrityKey: this.key }),
      });
      const response = await this.exchange(raw, transactionId);
      const code = errorCode(response);
      const realm = attribute(response, ATTR.REALM);
      const nonce = attribute(response, ATTR.NONCE);
      if ((code === 401 || code === 438) && attempt === 0 && realm !== undefined && nonce !== undefined) {
        this.realm = realm.toString();
        this.nonce = nonce.toString();
        this.key = longTermKey(this.credentials.username, this.realm, this.credentials.password);
        continue;
      }
      return response;
    }
    throw new Error('unreachable: the loop returns on its second attempt');
  }

  async allocate(): Promise<TransportAddress> {
    const response = await this.transact(METHOD.ALLOCATE, [{ type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) }]);
    const relayed = attribute(response, ATTR.XOR_RELAYED_ADDRESS);
    if (errorCode(response) !== null || relayed === undefined) throw new Error(`Allocate over TCP failed with ${errorCode(response)}`);
    return decodeXorAddress(relayed, response.transactionId);
  }

  createPermission(peers: TransportAddress[]): Promise<StunMessage> {
    return this.transact(METHOD.CREATE_PERMISSION, (transactionId) => peers.map((peer) => ({ type: ATTR.XOR_PEER_ADDRESS, value: encodeXorAddress(peer, transactionId) })));
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

  async close(): Promise<void> {
    this.socket.destroy();
    await withTimeout(this.closed, CONNECT_TIMEOUT_MS, 'TCP close');
  }
}
