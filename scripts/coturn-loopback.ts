// coturn as the relay benchmarks run it beside the embedded relay: on loopback only, one
// long-term user, no TLS or DTLS, no CLI, loopback peers allowed, its files in `dir`.
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
