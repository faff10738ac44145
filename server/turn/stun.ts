// A small STUN/TURN codec and UDP client (RFC 8489 / RFC 8656). The relay's start-up self-test
// uses it to allocate and relay one packet through the relay, and the relay's tests use it as an
// independent probe of node-turn. It only ever talks to addresses its caller gives it.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { crc32 } from 'node:zlib';

export const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;
const ATTR_HEADER_BYTES = 4;
const INTEGRITY_BYTES = 20;
const FINGERPRINT_XOR = 0x5354554e;

export const METHOD = { BINDING: 0x001, ALLOCATE: 0x003, REFRESH: 0x004, SEND: 0x006, DATA: 0x007, CREATE_PERMISSION: 0x008, CHANNEL_BIND: 0x009 } as const;
export const CLASS = { REQUEST: 0, INDICATION: 1, SUCCESS: 2, ERROR: 3 } as const;
export const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  CHANNEL_NUMBER: 0x000c,
  LIFETIME: 0x000d,
  XOR_PEER_ADDRESS: 0x0012,
  DATA: 0x0013,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_ADDRESS_FAMILY: 0x0017,
  EVEN_PORT: 0x0018,
  REQUESTED_TRANSPORT: 0x0019,
  XOR_MAPPED_ADDRESS: 0x0020,
  SOFTWARE: 0x8022,
  FINGERPRINT: 0x8028,
} as const;
export const TRANSPORT_UDP = 17;

export type Attribute = { type: number; value: Buffer };
export type StunMessage = { method: number; cls: number; transactionId: Buffer; attributes: Attribute[]; raw: Buffer };
export type TransportAddress = { address: string; port: number };

export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

function messageType(method: number, cls: number): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

function encodeAttribute(attribute: Attribute): Buffer {
  const out = Buffer.alloc(ATTR_HEADER_BYTES + padded(attribute.value.length));
  out.writeUInt16BE(attribute.type, 0);
  out.writeUInt16BE(attribute.value.length, 2);
  attribute.value.copy(out, ATTR_HEADER_BYTES);
  return out;
}

export function encodeMessage(options: {
  method: number;
  cls: number;
  transactionId?: Buffer;
  attributes?: Attribute[];
  integrityKey?: Buffer;
  fingerprint?: boolean;
}): Buffer {
  const body = Buffer.concat((options.attributes ?? []).map(encodeAttribute));
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(messageType(options.method, options.cls), 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  (options.transactionId ?? randomBytes(12)).copy(header, 8);
  let message = Buffer.concat([header, body]);
  if (options.integrityKey !== undefined) {
    message.writeUInt16BE(message.length - HEADER_BYTES + ATTR_HEADER_BYTES + INTEGRITY_BYTES, 2);
    const mac = createHmac('sha1', options.integrityKey).update(message).digest();
    message = Buffer.concat([message, encodeAttribute({ type: ATTR.MESSAGE_INTEGRITY, value: mac })]);
  }
  if (options.fingerprint === true) {
    message.writeUInt16BE(message.length - HEADER_BYTES + 8, 2);
    const value = Buffer.alloc(4);
    value.writeUInt32BE((crc32(message) ^ FINGERPRINT_XOR) >>> 0, 0);
    message = Buffer.concat([message, encodeAttribute({ type: ATTR.FINGERPRINT, value })]);
  }
  message.writeUInt16BE(message.length - HEADER_BYTES, 2);
  return message;
}

/** Returns null for anything that is not a well-formed STUN message; never throws. */
export function decodeMessage(raw: Buffer): StunMessage | null {
  if (raw.length < HEADER_BYTES || (raw[0] as number) >> 6 !== 0 || raw.readUInt32BE(4) !== MAGIC_COOKIE) return null;
  const length = raw.readUInt16BE(2);
  if (HEADER_BYTES + length > raw.length) return null;
  const type = raw.readUInt16BE(0);
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = ((type & 0x0010) >> 4) | ((type & 0x0100) >> 7);
  const attributes: Attribute[] = [];
  let offset = HEADER_BYTES;
  while (offset + ATTR_HEADER_BYTES <= HEADER_BYTES + length) {
    const attrType = raw.readUInt16BE(offset);
    const attrLength = raw.readUInt16BE(offset + 2);
    if (offset + ATTR_HEADER_BYTES + attrLength > HEADER_BYTES + length) return null;
    attributes.push({ type: attrType, value: raw.subarray(offset + ATTR_HEADER_BYTES, offset + ATTR_HEADER_BYTES + attrLength) });
    offset += ATTR_HEADER_BYTES + padded(attrLength);
  }
  return { method, cls, transactionId: raw.subarray(8, 20), attributes, raw: raw.subarray(0, HEADER_BYTES + length) };
}

export function attribute(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((candidate) => candidate.type === type)?.value;
}

export function errorCode(message: StunMessage): number | null {
  const value = attribute(message, ATTR.ERROR_CODE);
  if (value === undefined || value.length < 4) return null;
  return ((value[2] as number) & 7) * 100 + (value[3] as number);
}

/** True when the message carries a MESSAGE-INTEGRITY that verifies with `key`. */
export function hasValidIntegrity(message: StunMessage, key: Buffer): boolean {
  let offset = HEADER_BYTES;
  for (const attr of message.attributes) {
    if (attr.type === ATTR.MESSAGE_INTEGRITY) {
      const signed = Buffer.from(message.raw.subarray(0, offset));
      signed.writeUInt16BE(offset - HEADER_BYTES + ATTR_HEADER_BYTES + INTEGRITY_BYTES, 2);
      const expected = createHmac('sha1', key).update(signed).digest();
      return attr.value.length === INTEGRITY_BYTES && timingSafeEqual(expected, attr.value);
    }
    offset += ATTR_HEADER_BYTES + padded(attr.value.length);
  }
  return false;
}

export function encodeXorAddress(peer: TransportAddress, transactionId: Buffer): Buffer {
  const v4 = isIPv4(peer.address);
  const out = Buffer.alloc(v4 ? 8 : 20);
  out[1] = v4 ? 1 : 2;
  out.writeUInt16BE(peer.port ^ (MAGIC_COOKIE >>> 16), 2);
  const bytes = v4 ? Buffer.from(peer.address.split('.').map(Number)) : ipv6Bytes(peer.address);
  const key = Buffer.alloc(16);
  key.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(key, 4);
  for (let i = 0; i < bytes.length; i += 1) out[4 + i] = (bytes[i] as number) ^ (key[i] as number);
  return out;
}

export function decodeXorAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const key = Buffer.alloc(16);
  key.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(key, 4);
  const bytes = Buffer.from(value.subarray(4));
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (bytes[i] as number) ^ (key[i] as number);
  if (value[1] === 1) return { address: [...bytes.subarray(0, 4)].join('.'), port };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return { address: groups.join(':'), port };
}

/** Expands an IPv6 text address (including a dotted IPv4 tail) into its 16 bytes. */
export function ipv6Bytes(text: string): Buffer {
  let address = text;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    address = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16) & 0xffff, i * 2));
  return out;
}

export function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value, 0);
  return out;
}

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
 * A TURN client over one UDP socket. Requests wait at most `timeoutMs` (retransmitted every
 * RETRANSMIT_MS), and 401/438 answers are retried once with the realm and nonce they carry.
 */
export class TurnClient {
  static readonly RETRANSMIT_MS = 250;
  readonly socket: Socket;
  readonly server: TransportAddress;
  private credentials: Credentials | null;
  private realm = '';
  private nonce = '';
  private key: Buffer | null = null;
  private readonly pending = new Map<string, (message: StunMessage) => void>();
  private readonly deliveries: Delivery[] = [];
  private deliveryWaiter: (() => void) | null = null;
  /** Every response received, for tests that inspect what the relay sent. */
  readonly responses: StunMessage[] = [];

  private constructor(socket: Socket, server: TransportAddress, credentials: Credentials | null) {
    this.socket = socket;
    this.server = server;
    this.credentials = credentials;
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

  get integrityKey(): Buffer | null {
    return this.key;
  }

  useCredentials(credentials: Credentials): void {
    this.credentials = credentials;
    this.key = null;
  }

  private receive(raw: Buffer): void {
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

  sendRaw(raw: Buffer): void {
    this.socket.send(raw, this.server.port, this.server.address);
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
      const auth: Attribute[] =
        signed && this.credentials !== null
          ? [
              { type: ATTR.USERNAME, value: Buffer.from(this.credentials.username) },
              { type: ATTR.REALM, value: Buffer.from(this.realm) },
              { type: ATTR.NONCE, value: Buffer.from(this.nonce) },
            ]
          : [];
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

  async allocate(options: { lifetimeS?: number; extra?: Attribute[] } = {}): Promise<{ relayed: TransportAddress; mapped: TransportAddress | null; lifetimeS: number }> {
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

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
