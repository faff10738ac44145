// The reverse-proxy examples in config/, run for real on loopback in front of a real Porthello
// process: nginx (config/nginx.conf.example) and Caddy (config/Caddyfile.example), each with
// only the name, ports and certificate substituted. Through each: a page, an API POST with the
// right Origin, the WebSocket upgrade on /ws reaching the signaler, and the client's address
// (not one it forges in X-Forwarded-For) counted by the log-in throttle.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectPath } from '../server/paths.js';
import { hasOpenssl, makeCertificate } from './helpers/certificate.js';
import { spawnServer, type ServerProcess } from './helpers/process.js';
import { waitUntil, withTimeout } from './helpers/wait.js';
import { freePort } from './helpers/ports.js';
import { START_TIMEOUT_MS } from './helpers/live-server.js';

/** A proxy's start-up (TLS set-up included) is slow on a loaded machine. */
const PROXY_START_TIMEOUT_MS = 30_000;
/** One address's free failed log-ins before the throttle answers 429 (login-throttle.ts), plus room. */
const MAX_LOGIN_ATTEMPTS = 40;

const hasNginx = spawnSync('nginx', ['-v']).status === 0;
const hasCaddy = spawnSync('caddy', ['version']).status === 0;

/** Replaces every `from` in an example; a missing one means the example changed under the test. */
function substitute(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the example no longer contains ${JSON.stringify(from)}`);
  return text.split(from).join(to);
}

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

type Setup = {
  scratch: string;
  cert: string;
  key: string;
  proxyPort: number;
  backendPort: number;
  porthello: ServerProcess | null;
  proxy: ChildProcess | null;
  proxyOutput: string;
};

const setup: Setup = { scratch: '', cert: '', key: '', proxyPort: 0, backendPort: 0, porthello: null, proxy: null, proxyOutput: '' };

function origin(): string {
  return `https://127.0.0.1:${setup.proxyPort}`;
}

/** One HTTPS request to the proxy from `localAddress` (any 127.0.0.0/8 address is this machine). */
function send(path: string, options: RequestOptions & { body?: string; localAddress?: string } = {}): Promise<Reply> {
  const { body, ...rest } = options;
  return withTimeout(
    new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: setup.proxyPort, path, ca: readFileSync(setup.cert), ...rest }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      // A refused upgrade is an ordinary response; an accepted one would be 'upgrade'.
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
      });
      req.on('error', reject);
      req.end(body);
    }),
    `${options.method ?? 'GET'} ${path}`,
  );
}

function postLogin(email: string, localAddress: string, headers: Record<string, string> = {}): Promise<Reply> {
  return send('/api/auth/login', {
    method: 'POST',
    localAddress,
    headers: { 'Content-Type': 'application/json', Origin: origin(), ...headers },
    body: JSON.stringify({ email, password: 'not the password' }),
  });
}

async function startPorthelloBehind(): Promise<void> {
  setup.scratch = mkdtempSync(join(tmpdir(), 'porthello-proxy-'));
  ({ cert: setup.cert, key: setup.key } = makeCertificate(setup.scratch, '127.0.0.1'));
  setup.proxyPort = await freePort();
  setup.backendPort = await freePort();
  setup.porthello = spawnServer({
    PORTHELLO_DATA_DIR: join(setup.scratch, 'data'),
    PORTHELLO_HOST: '127.0.0.1',
    PORTHELLO_PORT: String(setup.backendPort),
    PORTHELLO_PUBLIC_URL: origin(),
    PORTHELLO_TRUST_PROXY: 'true',
    PORTHELLO_TURN_PORT: '0',
    PORTHELLO_BCRYPT_COST: '4',
  });
  await setup.porthello.waitForOutput(/listening on http:/, START_TIMEOUT_MS);
}

function startProxy(command: string, args: string[], env: Record<string, string> = {}): void {
  setup.proxyOutput = '';
  const child = spawn(command, args, { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (setup.proxyOutput += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (setup.proxyOutput += chunk.toString()));
  setup.proxy = child;
}

async function waitForProxy(): Promise<void> {
  await waitUntil(
    async () => {
      if (setup.proxy?.exitCode !== null) throw new Error(`the proxy exited:\n${setup.proxyOutput}`);
      return send('/healthz').then(
        (reply) => reply.status === 200,
        () => false,
      );
    },
    'the proxy to answer',
    PROXY_START_TIMEOUT_MS,
  ).catch((error: unknown) => {
    // uvu does not report a failing before hook: say why here.
    console.error(`the proxy did not come up: ${String(error)}\n${setup.proxyOutput}`);
    throw error;
  });
}

async function stopAll(): Promise<void> {
  const proxy = setup.proxy;
  if (proxy !== null && proxy.exitCode === null && proxy.signalCode === null) {
    const exited = new Promise((resolve) => proxy.once('exit', resolve));
    proxy.kill('SIGTERM');
    await withTimeout(exited, 'the proxy to stop');
  }
  setup.proxy = null;
  setup.porthello?.kill();
  if (setup.porthello !== null) await withTimeout(setup.porthello.exited, 'porthello to stop');
  setup.porthello = null;
  rmSync(setup.scratch, { recursive: true, force: true });
}

/** The same checks for every proxy: what the README promises works through it. */
function proxyChecks(test: (name: string, fn: () => Promise<void>) => void): void {
  test('serves pages from Porthello, over HTTPS', async () => {
    const page = await send('/signup');
    assert.is(page.status, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    // Porthello's own header: it knows it is reached over HTTPS.
    assert.match(String(page.headers['strict-transport-security']), /max-age=/);
  });

  test('passes API POSTs with the public Origin, and Porthello still refuses another Origin', async () => {
    const login = await postLogin('nobody@example.org', '127.0.0.1');
    assert.is(login.status, 401, login.body);
    const foreign = await postLogin('nobody@example.org', '127.0.0.1', { Origin: 'https://evil.example' });
    assert.is(foreign.status, 403, foreign.body);
  });

  test('passes the WebSocket upgrade on /ws through to the signaler', async () => {
    const upgrade = await send('/ws', {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        Origin: origin(),
      },
    });
    // 401: the signaler looked at it and found no session. Without the upgrade headers passed
    // on, the same path is an ordinary request that the pages do not know.
    assert.is(upgrade.status, 401, upgrade.body);
    const plain = await send('/ws');
    assert.is(plain.status, 404);
  });

  test('Porthello counts the client address the proxy saw, not one the client forged', async () => {
    let throttledAt = 0;
    for (let attempt = 1; attempt <= MAX_LOGIN_ATTEMPTS && throttledAt === 0; attempt += 1) {
      // A different forged address each time: believed, it would dodge the per-address throttle.
      const reply = await postLogin(`user${attempt}@example.org`, '127.0.0.2', { 'X-Forwarded-For': `203.0.113.${attempt}` });
      if (reply.status === 429) throttledAt = attempt;
      else assert.is(reply.status, 401, reply.body);
    }
    assert.ok(throttledAt > 0, `127.0.0.2 was never throttled in ${MAX_LOGIN_ATTEMPTS} failed log-ins`);
    // Another client behind the same proxy is not: Porthello tells them apart.
    const other = await postLogin('someone@example.org', '127.0.0.3');
    assert.is(other.status, 401, other.body);
  });
}

const nginx = suite('nginx with config/nginx.conf.example');
const nginxReason = !hasOpenssl ? 'openssl is missing: apt-get install -y openssl' : !hasNginx ? 'nginx is missing: apt-get install -y nginx' : null;
if (nginxReason !== null) console.log(`nginx suite skipped: ${nginxReason}`);
nginx.before(async () => {
  if (nginxReason !== null) return;
  await startPorthelloBehind();
  const httpPort = await freePort();
  let site = readFileSync(projectPath('config', 'nginx.conf.example'), 'utf8');
  site = substitute(site, '    listen [::]:80;\n', '');
  site = substitute(site, '    listen [::]:443 ssl;\n', '');
  site = substitute(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  site = substitute(site, 'listen 443 ssl;', `listen 127.0.0.1:${setup.proxyPort} ssl;`);
  site = substitute(site, '/etc/letsencrypt/live/call.example.org/fullchain.pem', setup.cert);
  site = substitute(site, '/etc/letsencrypt/live/call.example.org/privkey.pem', setup.key);
  site = substitute(site, '/var/www/letsencrypt', join(setup.scratch, 'acme'));
  site = substitute(site, 'proxy_pass http://127.0.0.1:8080;', `proxy_pass http://127.0.0.1:${setup.backendPort};`);
  site = substitute(site, 'call.example.org', '127.0.0.1');
  writeFileSync(join(setup.scratch, 'porthello.conf'), site);
  mkdirSync(join(setup.scratch, 'acme'));
  // The smallest main configuration around the example, everything inside the scratch folder.
  const temp = (name: string): string => `${name}_temp_path ${join(setup.scratch, `${name}-temp`)};`;
  writeFileSync(
    join(setup.scratch, 'nginx.conf'),
    `user root;\ndaemon off;\npid ${join(setup.scratch, 'nginx.pid')};\nerror_log stderr warn;\nevents {}\nhttp {\n  access_log off;\n  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}\n  include ${join(setup.scratch, 'porthello.conf')};\n}\n`,
  );
  startProxy('nginx', ['-e', 'stderr', '-p', setup.scratch, '-c', join(setup.scratch, 'nginx.conf')]);
  await waitForProxy();
});
nginx.after(async () => {
  if (nginxReason === null) await stopAll();
});
proxyChecks(nginxReason === null ? nginx : nginx.skip);
nginx.run();

const caddy = suite('Caddy with config/Caddyfile.example');
const caddyReason = !hasOpenssl ? 'openssl is missing: apt-get install -y openssl' : !hasCaddy ? 'caddy is missing: apt-get install -y caddy' : null;
if (caddyReason !== null) console.log(`caddy suite skipped: ${caddyReason}`);
caddy.before(async () => {
  if (caddyReason !== null) return;
  await startPorthelloBehind();
  let file = readFileSync(projectPath('config', 'Caddyfile.example'), 'utf8');
  file = substitute(file, 'reverse_proxy 127.0.0.1:8080\n', `reverse_proxy 127.0.0.1:${setup.backendPort}\n`);
  // Our certificate instead of an ACME one, on loopback; no admin endpoint, no redirect listener.
  file = substitute(file, 'call.example.org {\n', `https://127.0.0.1:${setup.proxyPort} {\n\ttls ${setup.cert} ${setup.key}\n`);
  file = `{\n\tadmin off\n\tauto_https off\n\tstorage file_system ${join(setup.scratch, 'caddy')}\n}\n\n${file}`;
  writeFileSync(join(setup.scratch, 'Caddyfile'), file);
  startProxy('caddy', ['run', '--adapter', 'caddyfile', '--config', join(setup.scratch, 'Caddyfile')], {
    HOME: setup.scratch,
    XDG_DATA_HOME: setup.scratch,
    XDG_CONFIG_HOME: setup.scratch,
  });
  await waitForProxy();
});
caddy.after(async () => {
  if (caddyReason === null) await stopAll();
});
proxyChecks(caddyReason === null ? caddy : caddy.skip);
caddy.run();
