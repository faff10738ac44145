// Packets for fuzzing a TURN relay: valid STUN/TURN requests and indications built from
// "interesting" field values (ports 0 and 65535, both address families, reserved addresses,
// channel numbers at and past the range's edges, lifetimes 0 and 2^32-1), then mutated before
// signing (so a valid MESSAGE-INTEGRITY covers the malformed attribute) or after (so the
// message's own framing breaks), plus ChannelData frames and raw garbage. Every choice comes
// from one seeded PRNG: the same seed gives the same packets.
import { ATTR, CLASS, METHOD, TRANSPORT_UDP, encodeMessage, encodeXorAddress, u32, type Attribute, type TransportAddress } from '../../../server/turn/stun.js';

/** mulberry32: small, fast, and good enough to drive mutations reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Prng = {
  next(): number;
  int(maxExclusive: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(length: number): Buffer;
};

export function prng(seed: number): Prng {
  const next = seededRandom(seed);
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: (items) => items[int(items.length)] as (typeof items)[number],
    bytes: (length) => Buffer.from(Array.from({ length }, () => int(256))),
  };
}

/** What a fuzzed message may aim at; every address is one a namespace with only loopback keeps in. */
export type FuzzTargets = {
  /** A UDP peer that records what the relay sends it. */
  peerPort: number;
  turnPort: number;
  relayPorts: readonly [number, number];
};

/** A session's signing material, when it has valid (or deliberately wrong) credentials. */
export type Signing = { auth: Attribute[]; key: Buffer } | null;

const V4_ADDRESSES = ['127.0.0.1', '127.0.0.2', '0.0.0.0', '255.255.255.255', '8.8.8.8', '224.0.0.1', '10.0.0.1', '169.254.169.254'];
const V6_ADDRESSES = ['::1', '::', '2001:4860:4860::8888', '::ffff:127.0.0.1', 'fe80::1', 'ff02::1', '64:ff9b::7f00:1'];
const CHANNELS = [0x4000, 0x4001, 0x4002, 0x7ffe, 0x7fff, 0x3fff, 0x8000, 0x0000, 0xffff];
const LIFETIMES = [0, 1, 600, 3600, 0x7fffffff, 0xffffffff];
/** Attribute types a mutation may switch to: known ones, unknown required and optional ones. */
const ATTRIBUTE_TYPES = [...Object.values(ATTR), 0x0001, 0x000a, 0x001a, 0x0022, 0x8023, 0x0000, 0x0077, 0x7fff, 0x80aa, 0xffff];

export class PacketFactory {
  private readonly random: Prng;
  private readonly targets: FuzzTargets;

  constructor(random: Prng, targets: FuzzTargets) {
    this.random = random;
    this.targets = targets;
  }

  port(): number {
    const { random, targets } = this;
    return random.pick([
      0,
      0,
      1,
      65535,
      targets.peerPort,
      targets.peerPort,
      targets.turnPort,
      targets.relayPorts[0] + random.int(targets.relayPorts[1] - targets.relayPorts[0] + 1),
      random.int(65536),
    ]);
  }

  peer(): TransportAddress {
    const { random } = this;
    const address = random.chance(0.75) ? (random.chance(0.5) ? '127.0.0.1' : random.pick(V4_ADDRESSES)) : random.pick(V6_ADDRESSES);
    return { address, port: this.port() };
  }

  channel(): number {
    return this.random.chance(0.1) ? this.random.int(0x10000) : this.random.pick(CHANNELS);
  }

  private peerAttribute(transactionId: Buffer): Attribute {
    return { type: ATTR.XOR_PEER_ADDRESS, value: encodeXorAddress(this.peer(), transactionId) };
  }

  /** The attributes of one request or indication of a random TURN method. */
  private body(method: number, transactionId: Buffer): Attribute[] {
    const { random } = this;
    switch (method) {
      case METHOD.ALLOCATE:
        return [
          { type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([random.chance(0.8) ? TRANSPORT_UDP : random.int(256), 0, 0, 0]) },
          ...(random.chance(0.3) ? [{ type: ATTR.LIFETIME, value: u32(random.pick(LIFETIMES)) }] : []),
          ...(random.chance(0.2) ? [{ type: ATTR.REQUESTED_ADDRESS_FAMILY, value: Buffer.from([random.pick([1, 2, 3, 0]), 0, 0, 0]) }] : []),
          ...(random.chance(0.1) ? [{ type: ATTR.EVEN_PORT, value: Buffer.from([random.pick([0, 0x80])]) }] : []),
        ];
      case METHOD.REFRESH:
        // mostly keep the allocation: a lifetime of 0 ends it
        return random.chance(0.8) ? [{ type: ATTR.LIFETIME, value: u32(random.chance(0.9) ? 600 : random.pick(LIFETIMES)) }] : [];
      case METHOD.CREATE_PERMISSION:
        return Array.from({ length: 1 + random.int(3) }, () => this.peerAttribute(transactionId));
      case METHOD.CHANNEL_BIND: {
        const channel = this.channel();
        return [{ type: ATTR.CHANNEL_NUMBER, value: Buffer.from([channel >> 8, channel & 0xff, 0, 0]) }, this.peerAttribute(transactionId)];
      }
      case METHOD.SEND:
        return [this.peerAttribute(transactionId), { type: ATTR.DATA, value: this.random.bytes(random.int(200)) }];
      default:
        return [];
    }
  }

  /** Changes one attribute: its length, type, family byte, or drops or repeats it. */
  private mutateAttributes(attributes: Attribute[]): Attribute[] {
    const { random } = this;
    if (attributes.length === 0) return [{ type: random.pick(ATTRIBUTE_TYPES), value: random.bytes(random.int(24)) }];
    const out: Attribute[] = attributes.map((attribute) => ({ type: attribute.type, value: Buffer.from(attribute.value) }));
    const index = random.int(out.length);
    const target = out[index] as Attribute;
    switch (random.int(7)) {
      case 0: // truncated: the value stops early, the next attribute follows at once
        target.value = target.value.subarray(0, random.int(target.value.length + 1));
        break;
      case 1: // longer than its type allows
        target.value = Buffer.concat([target.value, random.bytes(1 + random.int(24))]);
        break;
      case 2: // another address family byte (meaningful for address attributes)
        if (target.value.length >= 2) target.value[1] = random.pick([0, 1, 2, 3, 0xff]);
        break;
      case 3:
        target.type = random.pick(ATTRIBUTE_TYPES);
        break;
      case 4:
        out.splice(index, 1);
        break;
      case 5:
        out.splice(index, 0, { type: target.type, value: Buffer.from(target.value) });
        break;
      default:
        out.splice(random.int(out.length + 1), 0, { type: random.pick(ATTRIBUTE_TYPES), value: random.bytes(random.int(40)) });
    }
    return out;
  }

  /** Breaks the encoded message itself: header length, cut, appended or flipped bytes. */
  private mutateBytes(raw: Buffer): Buffer {
    const { random } = this;
    const out = Buffer.from(raw);
    switch (random.int(4)) {
      case 0:
        out.writeUInt16BE(random.pick([0, 4, out.length - 20 + 4, out.length - 20 - 4, 0xfffc, random.int(0x10000)]) & 0xffff, 2);
        return out;
      case 1:
        return out.subarray(0, random.int(out.length));
      case 2:
        return Buffer.concat([out, random.bytes(1 + random.int(64))]);
      default:
        for (let flips = 1 + random.int(4); flips > 0; flips -= 1) out[random.int(out.length)] = random.int(256);
        return out;
    }
  }

  /** One STUN/TURN message: signed when `signing` is given (valid or not, the caller decides). */
  message(signing: Signing): Buffer {
    const { random } = this;
    const method = random.pick([
      METHOD.ALLOCATE,
      METHOD.REFRESH,
      METHOD.CREATE_PERMISSION,
      METHOD.CREATE_PERMISSION,
      METHOD.CHANNEL_BIND,
      METHOD.CHANNEL_BIND,
      METHOD.CHANNEL_BIND,
      METHOD.SEND,
      METHOD.SEND,
      METHOD.BINDING,
    ]);
    const cls =
      method === METHOD.SEND
        ? random.chance(0.9)
          ? CLASS.INDICATION
          : CLASS.REQUEST
        : random.chance(0.95)
          ? CLASS.REQUEST
          : random.pick([CLASS.INDICATION, CLASS.SUCCESS, CLASS.ERROR]);
    const transactionId = random.bytes(12);
    let attributes = this.body(method, transactionId);
    if (random.chance(0.35)) attributes = this.mutateAttributes(attributes);
    const signed = signing !== null && cls === CLASS.REQUEST && random.chance(0.85);
    const raw = encodeMessage({
      method,
      cls,
      transactionId,
      attributes: signed ? [...attributes, ...signing.auth] : attributes,
      ...(signed ? { integrityKey: signing.key } : {}),
      fingerprint: random.chance(0.1),
    });
    return random.chance(0.15) ? this.mutateBytes(raw) : raw;
  }

  /** A ChannelData frame: usually well formed, sometimes with a lying length or no payload. */
  channelData(): Buffer {
    const { random } = this;
    const payload = random.bytes(random.chance(0.05) ? 1200 + random.int(300) : random.int(120));
    const frame = Buffer.alloc(4 + ((payload.length + 3) & ~3));
    frame.writeUInt16BE(random.chance(0.9) ? random.pick(CHANNELS.slice(0, 4)) : this.channel(), 0);
    frame.writeUInt16BE(random.chance(0.85) ? payload.length : random.int(0x10000), 2);
    payload.copy(frame, 4);
    return random.chance(0.05) ? frame.subarray(0, random.int(frame.length)) : frame;
  }

  /** Bytes that may or may not look like STUN or ChannelData. */
  garbage(): Buffer {
    const { random } = this;
    const out = random.bytes(random.int(300));
    if (out.length > 0 && random.chance(0.5)) out[0] = random.pick([0x00, 0x01, 0x40, 0x7f, 0x80, 0xff]);
    return out;
  }

  /** The next packet to send, for a session that has (or lacks) signing material. */
  packet(signing: Signing): Buffer {
    const roll = this.random.next();
    if (roll < 0.6) return this.message(signing);
    if (roll < 0.92) return this.channelData();
    return this.garbage();
  }
}
