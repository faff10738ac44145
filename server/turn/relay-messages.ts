// What the main thread and the relay's worker thread (relay-worker.ts) say to each other. Every
// value here crosses by structured clone: plain data only (no functions, no TLS contexts, no
// sockets), and certificates as PEM text.
import type { SecureContextOptions } from 'node:tls';
import type { LogFields } from '../log.js';
import type { CredentialKind, RelayOptions, RelayStatistics, SelfTestResult } from './relay.js';

/** RelayOptions as they cross to the worker: the TLS certificate and key as PEM strings. */
export type WorkerRelayOptions = Omit<RelayOptions, 'tls'> & { tls?: Readonly<{ port: number; cert: string; key: string }> | null };

/** A credential as addUser got it. */
export type RelayUser = Readonly<{ username: string; password: string; kind: CredentialKind; callId: string | null }>;

/** A thread's workerData: its options, and what a thread that ended held, replayed into its successor
 *  before it answers anything (the credentials live at its end, the last certificate given). */
export type WorkerStart = Readonly<{ options: WorkerRelayOptions; users: readonly RelayUser[]; certificate: SecureContextOptions | null }>;

export type ToWorker =
  | ({ type: 'addUser' } & RelayUser)
  | { type: 'removeUser'; username: string }
  | { type: 'selfTest'; id: number }
  | { type: 'replaceCertificate'; context: SecureContextOptions }
  | { type: 'stop' };

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export type FromWorker =
  | { type: 'started'; port: number; tlsPort: number | null }
  | { type: 'failed'; code: string | null; message: string }
  | { type: 'log'; level: LogLevelName; category: string; message: string; fields: LogFields | undefined }
  /** Live allocations of the credentials that changed since the last message (0: none left), and in total. */
  | { type: 'allocations'; counts: Array<[string, number]>; total: number }
  | { type: 'statistics'; statistics: RelayStatistics }
  /** The listening socket closed without stop() being asked. */
  | { type: 'closed' }
  | { type: 'selfTest'; id: number; result: SelfTestResult }
  | { type: 'stopped' };

/** PEM is ASCII: a Buffer holding a certificate or key crosses as its text. */
function pemText<T>(value: T): T | string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : value;
}

export function workerOptions(options: RelayOptions): WorkerRelayOptions {
  const { tls, ...rest } = options;
  if (tls === undefined) return rest;
  return { ...rest, tls: tls === null ? null : { port: tls.port, cert: tls.cert.toString('utf8'), key: tls.key.toString('utf8') } };
}

/** The context with its certificate and key as PEM text; its other fields are plain data already. */
export function cloneableContext(context: SecureContextOptions): SecureContextOptions {
  return { ...context, cert: pemText(context.cert), key: pemText(context.key) };
}
