// coturn and its load client as the relay benchmarks and the interop test run them: on
// loopback only, one long-term user, no TLS or DTLS, no CLI, loopback peers allowed.
import { join } from 'node:path';

export function loopbackCoturnArgs(options: { port: number; relayPorts: readonly [number, number]; user: string; password: string; dir: string }): string[] {
  return [
    '-n',
    '--listening-ip=127.0.0.1',
    `--listening-port=${options.port}`,
    '--relay-ip=127.0.0.1',
    `--min-port=${options.relayPorts[0]}`,
    `--max-port=${options.relayPorts[1]}`,
    '--lt-cred-mech',
    `--user=${options.user}:${options.password}`,
    '--realm=porthello',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-rfc5780',
    '--allow-loopback-peers',
    `--db=${join(options.dir, 'coturn.db')}`,
    '--log-file=stdout',
    '--simple-log',
    `--pidfile=${join(options.dir, 'coturn.pid')}`,
  ];
}

/**
 * coturn's load client, turnutils_uclient, against a relay on loopback: `clients` clients each
 * send `messages` UDP packets of `bytes` through it to the peer (turnutils_peer) at `peerPort`,
 * one every `intervalMs`, over channels (-c). `extra` options go before the relay's address.
 */
export function loopbackUclientArgs(options: {
  user: string;
  password: string;
  relayPort: number;
  peerPort: number;
  clients: number;
  messages: number;
  bytes: number;
  intervalMs: number;
  extra?: readonly string[];
}): string[] {
  return [
    '-u',
    options.user,
    '-w',
    options.password,
    '-e',
    '127.0.0.1',
    '-r',
    String(options.peerPort),
    '-p',
    String(options.relayPort),
    '-m',
    String(options.clients),
    '-n',
    String(options.messages),
    '-l',
    String(options.bytes),
    '-z',
    String(options.intervalMs),
    '-c',
    ...(options.extra ?? []),
    '127.0.0.1',
  ];
}
