// npm run doctor against a real server process on loopback (built-in TLS, the embedded relay):
// every check passes or warns where it should, the relay is probed with a real allocation and
// a packet from outside the process; then broken set-ups each produce a FAIL with a fix and a
// non-zero exit status.
import { spawn } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectPath } from '../server/paths.js';
import { checkDatabase } from '../scripts/doctor-checks.js';
import { requestLocal } from '../scripts/local-service.js';
import { hasOpenssl, makeCertificate } from './helpers/certificate.js';
import { spawnServer, type ServerProcess } from './helpers/process.js';
import { withTimeout } from './helpers/wait.js';
import { freePort } from './helpers/ports.js';
import { START_TIMEOUT_MS } from './helpers/live-server.js';

const DOCTOR = projectPath('dist', 'scripts', 'doctor.js');
const DOCTOR_TIMEOUT_MS = 30_000;
/** A relay range no other suite uses. */
const RELAY_PORTS = '52300-52340';

if (!hasOpenssl) console.log('doctor suite skipped: openssl is missing: apt-get install -y openssl');

let scratch = '';
let running: ServerProcess | null = null;
let envFile = '';
let origin = '';
let certPath = '';

function runDoctor(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; output: string }> {
  return withTimeout(
    new Promise((resolve) => {
      const child = spawn(process.execPath, [DOCTOR, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (status) => resolve({ status, output }));
    }),
    'the doctor',
    DOCTOR_TIMEOUT_MS,
  );
}

const doctor = suite('npm run doctor');
const check = hasOpenssl ? doctor : doctor.skip;
doctor.before(async () => {
  if (!hasOpenssl) return;
  scratch = mkdtempSync(join(tmpdir(), 'porthello-doctor-'));
  // One day left: the doctor must warn (fewer than 14).
  const { cert, key } = makeCertificate(scratch, '127.0.0.1');
  certPath = cert;
  const port = await freePort();
  const turnPort = await freePort();
  origin = `https://127.0.0.1:${port}`;
  envFile = join(scratch, 'porthello.env');
  writeFileSync(
    envFile,
    [
      `PORTHELLO_PORT=${port}`,
      `PORTHELLO_PUBLIC_URL=${origin}`,
      `PORTHELLO_TLS_CERT=${cert}`,
      `PORTHELLO_TLS_KEY=${key}`,
      `PORTHELLO_DATA_DIR=${join(scratch, 'data')}`,
      'PORTHELLO_BCRYPT_COST=4',
      `PORTHELLO_TURN_PORT=${turnPort}`,
      'PORTHELLO_TURN_TLS_PORT=0',
      `PORTHELLO_TURN_RELAY_PORTS=${RELAY_PORTS}`,
      'PORTHELLO_TURN_ALLOWED_PEERS=127.0.0.1/32',
      '',
    ].join('\n'),
  );
  running = spawnServer({}, [`--env-file=${envFile}`]);
  // uvu does not report a failing before hook: say why here.
  await running.waitForOutput(/TURN relay on udp\+tcp/, START_TIMEOUT_MS).catch((error: unknown) => {
    console.error(`the server did not start: ${String(error)}\n${running?.output() ?? ''}`);
    throw error;
  });
  // A member, so there is a call link the doctor can probe the relay through.
  const signUp = await requestLocal(`${origin}/api/auth/signup`, {
    method: 'POST',
    headers: { Origin: origin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'ada@example.org', password: 'correct horse battery', firstName: 'Ada', lastName: 'L', acceptPolicy: true }),
  });
  assert.is(signUp.status, 201, signUp.body);
  const cookie = [signUp.headers['set-cookie'] ?? []].flat()[0]?.split(';')[0] ?? '';
  const link = await requestLocal(`${origin}/api/me/call-link`, { headers: { Origin: origin, Cookie: cookie } });
  assert.is(link.status, 200, link.body);
});
doctor.after(async () => {
  running?.kill();
  if (running !== null) await withTimeout(running.exited, 'the server to end');
  running = null;
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

check('passes on a sound set-up, relaying a real packet, and warns about a certificate near its end', async () => {
  const unit = join(scratch, 'porthello.service');
  copyFileSync(projectPath('porthello.service'), unit);
  const run = await runDoctor([`--env-file=${envFile}`, `--unit=${unit}`]);
  assert.is(run.status, 0, run.output);
  assert.match(run.output, /^ok {3}configuration: every setting is valid$/m);
  assert.match(run.output, new RegExp(`^ok {3}public URL: ${origin}$`, 'm'));
  assert.match(run.output, /^WARN certificate: expires in 0 days/m);
  assert.match(run.output, /^ok {3}TURN port: 127\.0\.0\.1:\d+\/udp answers/m);
  assert.match(run.output, /^ok {3}TURN relay range: allocated 127\.0\.0\.1:(\d+) and 127\.0\.0\.1:\d+ and relayed a packet between them$/m);
  const [, relayPort] = /allocated 127\.0\.0\.1:(\d+)/.exec(run.output) ?? [];
  assert.ok(Number(relayPort) >= 52300 && Number(relayPort) <= 52340, `a port of the relay range: ${relayPort}`);
  assert.match(run.output, /^ok {3}database: .*integrity_check ok$/m);
  assert.match(run.output, /^ok {3}systemd unit: .* keeps the shipped sandbox$/m);
  assert.match(run.output, /^ok {3}disk: /m);
  assert.match(run.output, /^no problem found \(\d+ warnings?\)$/m);
});

check('fails on a weakened unit, naming each changed line', async () => {
  const unit = join(scratch, 'weakened.service');
  const shipped = readFileSync(projectPath('porthello.service'), 'utf8');
  assert.ok(shipped.includes('ProtectSystem=strict\n') && shipped.includes('NoNewPrivileges=yes\n'));
  writeFileSync(unit, shipped.replace('ProtectSystem=strict\n', 'ProtectSystem=full\n').replace('NoNewPrivileges=yes\n', ''));
  const run = await runDoctor([`--env-file=${envFile}`, `--unit=${unit}`]);
  assert.is(run.status, 1, run.output);
  const [line = ''] = /^FAIL systemd unit: .*$/m.exec(run.output) ?? [];
  for (const change of ['missing ProtectSystem=strict', 'missing NoNewPrivileges=yes', 'changed to ProtectSystem=full'])
    assert.ok(line.includes(change), `${change} in: ${line}`);
  assert.match(run.output, /^ {5}fix: install the shipped unit again/m);
});

check('fails on a broken configuration, naming every bad key with how to fix it', async () => {
  const broken = join(scratch, 'broken.env');
  writeFileSync(broken, `PORTHELLO_PORT=eighty\nPORTHELLO_PUBLIC_URL=ftp://call.example.org\nPORTHELLO_DATA_DIR=${join(scratch, 'data')}\n`);
  const run = await runDoctor([`--env-file=${broken}`]);
  assert.is(run.status, 1, run.output);
  assert.match(run.output, /^FAIL configuration: PORTHELLO_PORT: must be an integer/m);
  assert.match(run.output, /^FAIL configuration: PORTHELLO_PUBLIC_URL: must start with http:\/\/ or https:\/\//m);
  assert.match(run.output, new RegExp(`fix: correct it in ${broken}`));
});

check('fails on a private external IP, a relay that does not answer, plain HTTP and a damaged database', async () => {
  const dataDir = join(scratch, 'damaged');
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, 'porthello.sqlite'), 'this is not a database, only text that looks long enough to be read'.repeat(100));
  const silentPort = await freePort();
  const bad = join(scratch, 'bad.env');
  writeFileSync(
    bad,
    [
      `PORTHELLO_DATA_DIR=${dataDir}`,
      'PORTHELLO_PUBLIC_URL=http://call.example.org',
      'PORTHELLO_TURN_EXTERNAL_IP=10.1.2.3',
      `PORTHELLO_TURN_PORT=${silentPort}`,
      '',
    ].join('\n'),
  );
  const run = await runDoctor([`--env-file=${bad}`, `--unit=${join(scratch, 'no-such.service')}`]);
  assert.is(run.status, 1, run.output);
  assert.match(run.output, /^FAIL public URL: http:\/\/call\.example\.org is not HTTPS/m);
  assert.match(run.output, /^FAIL external IP: PORTHELLO_TURN_EXTERNAL_IP=10\.1\.2\.3 is not a public address/m);
  assert.match(run.output, new RegExp(`^FAIL TURN relay: the TURN port 127\\.0\\.0\\.1:${silentPort}/udp does not answer`, 'm'));
  assert.match(run.output, /^FAIL database: .* cannot be read as a database/m);
  assert.not.match(run.output, /systemd unit/, 'no installed unit, nothing to compare');
  assert.match(run.output, /^\d+ problems?, \d+ warnings?$/m);
});

check('behind a proxy, checks the certificate served at the public URL as a browser would', async () => {
  // The running server stands in for the proxy: HTTPS at the public URL, TLS not Porthello's here.
  const proxied = join(scratch, 'proxied.env');
  writeFileSync(
    proxied,
    [`PORTHELLO_PUBLIC_URL=${origin}`, 'PORTHELLO_TRUST_PROXY=true', 'PORTHELLO_TURN_PORT=0', `PORTHELLO_DATA_DIR=${join(scratch, 'proxied')}`, ''].join('\n'),
  );
  const untrusted = await runDoctor([`--env-file=${proxied}`]);
  assert.is(untrusted.status, 1, untrusted.output);
  assert.match(untrusted.output, /^FAIL certificate: browsers will refuse the certificate at https:\/\/127\.0\.0\.1:\d+: DEPTH_ZERO_SELF_SIGNED_CERT$/m);
  // Trusted the way a public CA would be: then only its near end is reported.
  const trusted = await runDoctor([`--env-file=${proxied}`], { NODE_EXTRA_CA_CERTS: certPath });
  assert.match(trusted.output, /^WARN certificate: the certificate at https:\/\/127\.0\.0\.1:\d+ expires in 0 days/m);
  assert.not.match(trusted.output, /^FAIL certificate/m);
  const closed = await freePort();
  writeFileSync(
    proxied,
    [`PORTHELLO_PUBLIC_URL=https://127.0.0.1:${closed}`, 'PORTHELLO_TURN_PORT=0', `PORTHELLO_DATA_DIR=${join(scratch, 'proxied')}`, ''].join('\n'),
  );
  const down = await runDoctor([`--env-file=${proxied}`]);
  assert.is(down.status, 1, down.output);
  assert.match(down.output, /^FAIL certificate: https:\/\/127\.0\.0\.1:\d+ does not answer HTTPS from here/m);
});

const ownership = process.getuid?.() === 0 ? check : doctor.skip;
ownership('run as root, leaves the SQLite files it makes to the database owner (the dynamic user)', async () => {
  const dataDir = join(scratch, 'owned');
  mkdirSync(dataDir);
  const path = join(dataDir, 'porthello.sqlite');
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (a)');
  db.close();
  const NOBODY = 65534;
  chownSync(path, NOBODY, NOBODY);
  assert.not.ok(existsSync(`${path}-shm`), 'a cleanly closed database has no -shm file');
  assert.is(checkDatabase(path).level, 'ok');
  // SQLite makes -wal and -shm even for a read-only connection: they must not stay root's.
  for (const file of [path, `${path}-wal`, `${path}-shm`].filter((name) => existsSync(name))) assert.is(statSync(file).uid, NOBODY, file);
});

doctor.run();
