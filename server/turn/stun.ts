// A small STUN/TURN message codec (RFC 8489 / RFC 8656): encoding, decoding, integrity and
// address attributes. client.ts builds the TURN client on it.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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

export function padded(length: number): number {
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
  integrityKey?: Buffer | undefined;
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
  groups.forEach((group, i) => {
    out.writeUInt16BE(parseInt(group, 16) & 0xffff, i * 2);
  });
  return out;
}

export function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value, 0);
  return out;
}
