// Built-in TLS: with a certificate configured the server speaks HTTPS only, and sends HSTS.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hasOpenssl, installCertificate, makeCertificate as makeCertificateIn } from './helpers/certificate.js';
import { spawnServer, type ServerProcess } from './helpers/process.js';
import { withTimeout } from './helpers/wait.js';
import { freePort } from './helpers/ports.js';
import { START_TIMEOUT_MS } from './helpers/live-server.js';

const tlsSuite = suite('built-in TLS');
const tls = hasOpenssl ? tlsSuite : tlsSuite.skip;
if (!hasOpenssl) console.log('openssl is missing: apt-get install -y openssl');

let scratch = '';
let server: ServerProcess | null = null;
tlsSuite.before.each(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-tls-'));
});
tlsSuite.after.each(async () => {
  server?.kill();
  if (server !== null) await withTimeout(server.exited, 'the server to stop');
  server = null;
  rmSync(scratch, { recursive: true, force: true });
});

/** A self-signed certificate for 127.0.0.1 in this test's folder. */
const makeCertificate = (name: string) => makeCertificateIn(scratch, name);

/** Opens a TLS connection and returns it with the subject the server presented. */
async function handshake(port: number, options: { maxVersion?: 'TLSv1.1' } = {}): Promise<{ socket: TLSSocket; subject: string }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () =>
        resolve({ socket, subject: String(socket.getPeerCertificate().subject.CN ?? '') }),
      );
      socket.once('error', reject);
    }),
    'a TLS handshake',
  );
}

/** Sends one keep-alive request on an open TLS connection and returns the status line. */
async function statusOver(socket: TLSSocket): Promise<string> {
  return withTimeout(
    new Promise((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString().split('\r\n')[0] ?? ''));
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    }),
    'an answer on the open connection',
  );
}

/** Retries a handshake until the server presents `subject`, bounded; returns what it last saw. */
async function waitForSubject(port: number, subject: string): Promise<string> {
  let seen = '';
  for (let attempt = 0; attempt < 50 && seen !== subject; attempt++) {
    const { socket, subject: presented } = await handshake(port);
    socket.destroy();
    seen = presented;
    if (seen !== subject) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

tls('serves HTTPS with HSTS from the configured certificate', async () => {
  const { cert, key } = makeCertificate('127.0.0.1');
  server = spawnServer({
    PORTHELLO_DATA_DIR: join(scratch, 'data'),
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: 'https://127.0.0.1:1',
    PORTHELLO_TURN_PORT: '0',
    PORTHELLO_TLS_CERT: cert,
    PORTHELLO_TLS_KEY: key,
  });
  const [, port] = await server.waitForOutput(/listening on https:\/\/127\.0\.0\.1:(\d+)/, START_TIMEOUT_MS);
  const get = (path: string) =>
    withTimeout(
      new Promise<{ status: number; hsts: string; body: string; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: Number(port), path, ca: readFileSync(cert) }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, hsts: String(res.headers['strict-transport-security'] ?? ''), body, headers: res.headers }),
          );
        });
        req.on('error', reject);
        req.end();
      }),
      'an HTTPS answer',
    );
  const response = await get('/healthz');
  assert.is(response.status, 200);
  const page = await get('/?lang=fr');
  const cookies = [page.headers['set-cookie'] ?? []].flat();
  assert.ok(cookies.length > 0 && cookies.every((cookie) => /;\s*secure/i.test(cookie)), `every cookie is Secure: ${cookies.join(' | ')}`);
  assert.match(String(page.headers['content-security-policy']), /connect-src 'self' wss:\/\/127\.0\.0\.1:1;/, 'the socket may only go to our own wss: origin');
  assert.equal(JSON.parse(response.body), { status: 'ok' });
  assert.match(response.hsts, /max-age=\d{8,}/);
  const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => 'answered',
    () => 'refused',
  );
  assert.is(plain, 'refused', 'no plain HTTP on the TLS port');
});

tls('replaces the certificate on SIGHUP and when the files change, keeping open connections, and refuses TLS 1.1', async () => {
  const live = makeCertificate('first');
  const second = makeCertificate('second');
  const third = makeCertificate('third');
  const [turnPort, turnTlsPort] = [await freePort(), await freePort()];
  server = spawnServer({
    PORTHELLO_DATA_DIR: join(scratch, 'data'),
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: 'https://127.0.0.1:1',
    PORTHELLO_TURN_PORT: String(turnPort),
    PORTHELLO_TURN_TLS_PORT: String(turnTlsPort),
    PORTHELLO_TURN_RELAY_PORTS: '51040-51050',
    PORTHELLO_TLS_CERT: live.cert,
    PORTHELLO_TLS_KEY: live.key,
  });
  const [, portText] = await server.waitForOutput(/listening on https:\/\/127\.0\.0\.1:(\d+)/, START_TIMEOUT_MS);
  await server.waitForOutput(/TURN over TLS on/, START_TIMEOUT_MS);
  const port = Number(portText);
  const open = await handshake(port);
  assert.is(open.subject, 'first');
  assert.is((await handshake(turnTlsPort)).subject, 'first');

  // A renewal, then systemctl reload: the next handshakes, HTTPS and TURN, show the new certificate.
  installCertificate(second, live);
  server.child.kill('SIGHUP');
  assert.is(await waitForSubject(port, 'second'), 'second');
  assert.is(await waitForSubject(turnTlsPort, 'second'), 'second');
  assert.match(await statusOver(open.socket), /^HTTP\/1\.1 200/, 'a connection opened before the reload keeps working');

  // A renewal with no reload at all: the changed files are picked up by themselves.
  installCertificate(third, live);
  assert.is(await waitForSubject(port, 'third'), 'third');

  // A key that does not match: the working certificate stays, and the log says why.
  copyFileSync(second.key, live.key);
  server.child.kill('SIGHUP');
  await server.waitForOutput(/certificate not reloaded/, 10_000);
  assert.is(await waitForSubject(port, 'third'), 'third');
  assert.is(server.child.exitCode, null, 'still running');

  const old = await handshake(port, { maxVersion: 'TLSv1.1' }).then(
    ({ socket }) => {
      socket.destroy();
      return 'accepted';
    },
    () => 'refused',
  );
  assert.is(old, 'refused', 'TLS 1.1 is refused');
  open.socket.destroy();
});

tls('redirects plain HTTP to the public HTTPS URL, whatever Host says, and serves ACME challenges', async () => {
  const { cert, key } = makeCertificate('127.0.0.1');
  const challenges = join(scratch, 'acme');
  mkdirSync(challenges);
  const token = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
  writeFileSync(join(challenges, token), `${token}.thumbprint`);
  const redirectPort = await freePort();
  server = spawnServer({
    PORTHELLO_DATA_DIR: join(scratch, 'data'),
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: 'https://call.example.org',
    PORTHELLO_TURN_PORT: '0',
    PORTHELLO_TLS_CERT: cert,
    PORTHELLO_TLS_KEY: key,
    PORTHELLO_HTTP_REDIRECT_PORT: String(redirectPort),
    PORTHELLO_ACME_CHALLENGE_DIR: challenges,
  });
  await server.waitForOutput(/redirecting http:\/\/127\.0\.0\.1:\d+ to https:\/\/call\.example\.org/, 10_000);
  const base = `http://127.0.0.1:${redirectPort}`;
  const moved = await fetch(`${base}/calls?lang=fr`, { redirect: 'manual', headers: { Host: 'evil.example' } });
  assert.is(moved.status, 308);
  assert.is(moved.headers.get('location'), 'https://call.example.org/calls?lang=fr');
  const post = await fetch(`${base}/api/auth/login`, { method: 'POST', redirect: 'manual', body: '{}' });
  assert.is(post.status, 308, 'the method is kept');
  const challenge = await fetch(`${base}/.well-known/acme-challenge/${token}`);
  assert.is(challenge.status, 200);
  assert.is(await challenge.text(), `${token}.thumbprint`);
  for (const bad of ['unknownTokenUnknownToken', '..%2F..%2Fetc%2Fpasswd', 'short']) {
    const response = await fetch(`${base}/.well-known/acme-challenge/${bad}`, { redirect: 'manual' });
    assert.is(response.status, 404, bad);
    await response.arrayBuffer();
  }
});

tlsSuite.run();
