import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';

const headers = suite('security headers');
let server: TestServer;
headers.before(async () => {
  server = await startTestServer();
});
headers.after(() => server.close());

const EVERY_KIND_OF_RESPONSE = ['/', '/healthz', '/assets/css/app.css', '/api/missing', '/missing-page'];

headers('are on every kind of response: page, API, static file, API error, page error', async () => {
  for (const path of EVERY_KIND_OF_RESPONSE) {
    const response = await server.fetch(path);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, `${path}: no inline or foreign script`);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /object-src 'none'/, path);
    assert.not.match(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!127\.0\.0\.1)/, path);
    assert.is(response.headers.get('x-content-type-options'), 'nosniff', path);
    assert.is(response.headers.get('referrer-policy'), 'no-referrer', path);
    const permissions = response.headers.get('permissions-policy') ?? '';
    for (const feature of ['camera', 'microphone', 'display-capture']) assert.ok(permissions.includes(`${feature}=(self)`), `${path}: ${feature}`);
    // Chromium warns about tokens it does not know; speaker choice is allowed to the page by default.
    assert.not.ok(permissions.includes('speaker-selection'), `${path}: speaker-selection`);
    assert.ok(permissions.includes('geolocation=()'), path);
    assert.is(response.headers.get('strict-transport-security'), null, `${path}: no HSTS over plain HTTP`);
    await response.arrayBuffer();
  }
});

headers('let pages open a WebSocket to the public origin only', async () => {
  const response = await server.fetch('/');
  assert.match(response.headers.get('content-security-policy') ?? '', new RegExp(`connect-src 'self' ${server.origin.replace('http', 'ws')}(;|$)`));
});

headers.run();

const https = suite('security headers over HTTPS');

https('add HSTS for a year or more when the public URL is HTTPS', async () => {
  const server = await startTestServer({ env: { PORTHELLO_PUBLIC_URL: 'https://call.example.org' } });
  try {
    const response = await server.fetch('/healthz');
    assert.equal(await jsonOf(response), { status: 'ok' });
    const hsts = response.headers.get('strict-transport-security') ?? '';
    assert.ok(Number(/max-age=(\d+)/.exec(hsts)?.[1]) >= 31536000, hsts);
    assert.match(response.headers.get('content-security-policy') ?? '', /connect-src 'self' wss:\/\/call\.example\.org/);
  } finally {
    await server.close();
  }
});

https.run();
