import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TEMPLATES_DIR } from '../../server/app.js';
import { JSON_BODY_LIMIT_BYTES, jsonBody } from '../../server/http/body.js';
import type { AppState } from '../../server/http/context.js';
import { errorHandler } from '../../server/http/errors.js';
import { createPageRenderer } from '../../server/http/pages.js';
import { silentLogger } from '../../server/log.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { withTimeout } from '../helpers/wait.js';

const json = (value: unknown): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });

const real = suite('JSON bodies in the real app');
let server: TestServer;
real.before(async () => {
  server = await startTestServer();
});
real.after(() => server.close());

real('refuses a body over 64 KiB with 413', async () => {
  const response = await server.fetch('/api/anything', json({ padding: 'x'.repeat(JSON_BODY_LIMIT_BYTES) }));
  assert.is(response.status, 413);
  assert.is((await jsonOf(response)).error.code, 'payload_too_large');
});

real('refuses a body that is not JSON with 415', async () => {
  const response = await server.fetch('/api/anything', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
  assert.is(response.status, 415);
  assert.is((await jsonOf(response)).error.code, 'unsupported_media_type');
});

real('refuses malformed JSON with 400 invalid_json', async () => {
  const response = await server.fetch('/api/anything', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":' });
  assert.is(response.status, 400);
  assert.is((await jsonOf(response)).error.code, 'invalid_json');
});

real.run();

/** The real middleware in a real Koa app whose one route echoes what it parsed. */
async function echoApp(): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa<AppState>();
  app.use(errorHandler(silentLogger, createPageRenderer(TEMPLATES_DIR)));
  app.use(jsonBody());
  app.use((ctx) => {
    ctx.body = { received: ctx.state.body ?? null };
  });
  const http = createServer(app.callback());
  await withTimeout(new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve)), 'listen');
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, close: () => new Promise((resolve) => http.close(() => resolve())) };
}

const parsing = suite('jsonBody');

parsing('parses JSON just under the limit, with a charset or a +json type', async () => {
  const app = await echoApp();
  try {
    const padding = 'y'.repeat(JSON_BODY_LIMIT_BYTES - 20);
    const big = await fetch(`${app.url}/api/echo`, json({ padding }));
    assert.is((await jsonOf(big)).received.padding.length, padding.length);
    const typed = await fetch(`${app.url}/api/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/merge-patch+json; charset=utf-8' },
      body: '{"a":1}',
    });
    assert.equal(await typed.json(), { received: { a: 1 } });
  } finally {
    await app.close();
  }
});

parsing('counts bytes of a chunked body that declares no length', async () => {
  const app = await echoApp();
  try {
    const chunk = new TextEncoder().encode(`"${'z'.repeat(JSON_BODY_LIMIT_BYTES)}"`);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(`${app.url}/api/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.is(response.status, 413);
  } finally {
    await app.close();
  }
});

parsing('leaves multipart uploads and non-API paths to their routes', async () => {
  const app = await echoApp();
  try {
    const form = new FormData();
    form.set('avatar', new Blob(['abc']), 'a.png');
    const upload = await fetch(`${app.url}/api/upload`, { method: 'POST', body: form });
    assert.equal(await upload.json(), { received: null });
    const page = await fetch(`${app.url}/form`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    assert.equal(await page.json(), { received: null });
  } finally {
    await app.close();
  }
});

parsing.run();
