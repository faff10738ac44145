// A TURN client over one TCP connection (RFC 8656 section 3.1), for tests: TurnClient's requests
// (server/turn/client.ts) framed on a stream, ChannelData padded to 4 bytes, each request sent
// once since TCP is reliable.
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { TurnRequests, type Credentials } from '../../../server/turn/client.js';
import { padded, type StunMessage, type TransportAddress } from '../../../server/turn/stun.js';
import { withTimeout } from './node-turn-fixture.js';

const CONNECT_TIMEOUT_MS = 2000;
/** A STUN header: type, length, magic cookie, transaction id. */
const STUN_HEADER_BYTES = 20;
const CHANNEL_DATA_HEADER_BYTES = 4;

export class TcpTurnClient extends TurnRequests {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  private buffered = Buffer.alloc(0);

  private constructor(socket: Socket, credentials: Credentials) {
    super(credentials);
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.receiveChunk(chunk));
    // A relay that drops the connection ends the pending requests by their timeouts.
    socket.on('error', () => {});
  }

  static async open(server: TransportAddress, credentials: Credentials, localAddress?: string): Promise<TcpTurnClient> {
    const socket = connect({ host: server.address, port: server.port, ...(localAddress === undefined ? {} : { localAddress }) });
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

  /** TURN over TLS (RFC 8656 section 3.1): the same framing inside a TLS stream. Test
   *  certificates are self-signed, so the server's is not verified. */
  static async openTls(server: TransportAddress, credentials: Credentials): Promise<TcpTurnClient> {
    const socket = connectTls({ host: server.address, port: server.port, rejectUnauthorized: false });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', () => resolve());
        socket.once('error', reject);
      }),
      CONNECT_TIMEOUT_MS,
      'TLS connect to the relay',
    );
    return new TcpTurnClient(socket, credentials);
  }

  sendRaw(raw: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(raw);
  }

  exchange(raw: Buffer, transactionId: Buffer, timeoutMs: number): Promise<StunMessage> {
    const id = transactionId.toString('hex');
    const answered = new Promise<StunMessage>((resolve) => this.pending.set(id, resolve));
    this.sendRaw(raw);
    return withTimeout(answered, timeoutMs, 'TCP TURN response').finally(() => this.pending.delete(id));
  }

  async close(): Promise<void> {
    this.socket.destroy();
    await withTimeout(this.closed, CONNECT_TIMEOUT_MS, 'TCP close');
  }

  /** Cuts the stream into whole STUN messages and ChannelData frames. */
  private receiveChunk(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= CHANNEL_DATA_HEADER_BYTES) {
      const channelData = (this.buffered[0] as number) >> 6 === 1;
      const frame = (channelData ? CHANNEL_DATA_HEADER_BYTES : STUN_HEADER_BYTES) + this.buffered.readUInt16BE(2);
      const size = channelData ? padded(frame) : frame;
      if (this.buffered.length < size) return;
      const raw = this.buffered.subarray(0, frame);
      this.buffered = this.buffered.subarray(size);
      this.receive(raw);
    }
  }
}
