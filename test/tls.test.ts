// Built-in TLS: with a certificate configured the server speaks HTTPS only, and sends HSTS.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnServer, type ServerProcess } from './helpers/process.js';
import { withTimeout } from './helpers/wait.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
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

tls('serves HTTPS with HSTS from the configured certificate', async () => {
  const cert = join(scratch, 'cert.pem');
  const key = join(scratch, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  assert.is(made.status, 0, made.stderr);
  server = spawnServer({
    PORTHELLO_DATA_DIR: join(scratch, 'data'),
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: 'https://127.0.0.1:1',
    PORTHELLO_TURN_PORT: '0',
    PORTHELLO_TLS_CERT: cert,
    PORTHELLO_TLS_KEY: key,
  });
  const [, port] = await server.waitForOutput(/listening on https:\/\/127\.0\.0\.1:(\d+)/, 10_000);
  const response = await withTimeout(
    new Promise<{ status: number; hsts: string; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: Number(port), path: '/healthz', ca: readFileSync(cert) }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, hsts: String(res.headers['strict-transport-security'] ?? ''), body }));
      });
      req.on('error', reject);
      req.end();
    }),
    'an HTTPS answer',
  );
  assert.is(response.status, 200);
  assert.equal(JSON.parse(response.body), { status: 'ok' });
  assert.match(response.hsts, /max-age=\d{8,}/);
  const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'answered', () => 'refused');
  assert.is(plain, 'refused', 'no plain HTTP on the TLS port');
});

tlsSuite.run();
