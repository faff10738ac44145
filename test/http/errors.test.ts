import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TEMPLATES_DIR } from '../../server/app.js';
import { AppError, rateLimited } from '../../server/errors.js';
import type { AppState } from '../../server/http/context.js';
import { errorHandler, toAppError } from '../../server/http/errors.js';
import { createPageRenderer } from '../../server/http/pages.js';
import { createLogger } from '../../server/log.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { withTimeout } from '../helpers/wait.js';

const rendering = suite('error rendering in the real app');
let server: TestServer;
rendering.before(async () => {
  server = await startTestServer();
});
rendering.after(() => server.close());

rendering('answers an unknown API route with a JSON 404', async () => {
  const response = await server.fetch('/api/no-such-thing');
  assert.is(response.status, 404);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(await response.json(), { error: { code: 'not_found', message: 'Not found.' } });
});

rendering('answers an unknown page with the error page in the visitor’s language', async () => {
  const french = await server.fetch('/no-such-page');
  assert.is(french.status, 404);
  assert.match(french.headers.get('content-type') ?? '', /text\/html/);
  const frenchHtml = await french.text();
  assert.match(frenchHtml, /<html lang="fr">/);
  assert.match(frenchHtml, /Page introuvable/);
  const english = await server.fetch('/no-such-page', { headers: { 'Accept-Language': 'en-GB,en;q=0.9' } });
  assert.match(await english.text(), /Page not found/);
});

rendering('answers a method the route does not take with 405 and a code', async () => {
  const response = await server.fetch('/healthz', { method: 'DELETE' });
  assert.is(response.status, 405);
});

rendering.run();

/** A real Koa app with the real error middleware and routes that fail in known ways. */
async function failingApp(): Promise<{ url: string; logs: string[]; close(): Promise<void> }> {
  const logs: string[] = [];
  const app = new Koa<AppState>();
  app.silent = true;
  app.use(errorHandler(createLogger({ level: 'info', write: (line) => logs.push(line) }), createPageRenderer(TEMPLATES_DIR)));
  app.use(async (ctx, next) => {
    ctx.state.locale = 'en';
    await next();
  });
  app.use((ctx) => {
    if (ctx.path === '/api/crash') throw new Error('secret detail at /srv/porthello/db.sqlite');
    if (ctx.path === '/api/teapot') throw rateLimited('slow_down', 'Try again later.', 30);
    if (ctx.path === '/api/fields') throw new AppError('invalid', 'invalid_input', 'Check the form.', { fields: { email: 'required' } });
    if (ctx.path === '/api/koa') ctx.throw(400, 'Bad thing');
    if (ctx.path === '/page-crash') throw new TypeError('undefined is not a function');
  });
  const server = createServer(app.callback());
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 'listen');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const unknown = suite('unknown errors');

unknown('become 500 internal_error with no detail or stack for the client, logged with a request id', async () => {
  const app = await failingApp();
  try {
    const response = await fetch(`${app.url}/api/crash`);
    assert.is(response.status, 500);
    const text = await response.text();
    assert.equal(JSON.parse(text), { error: { code: 'internal_error', message: 'Internal error.' } });
    assert.not.match(text, /secret|srv|at /);
    const line = app.logs.find((entry) => entry.includes('request failed')) ?? '';
    assert.match(line, /request_id=[0-9a-f]{16}/);
    assert.match(line, /status=500/);
  } finally {
    await app.close();
  }
});

unknown('render as the generic error page on page paths', async () => {
  const app = await failingApp();
  try {
    const response = await fetch(`${app.url}/page-crash`);
    assert.is(response.status, 500);
    const html = await response.text();
    assert.match(html, /Something went wrong/);
    assert.not.match(html, /undefined is not a function/);
  } finally {
    await app.close();
  }
});

unknown('keep the status, code, fields and headers of an AppError and of Koa’s own errors', async () => {
  const app = await failingApp();
  try {
    const throttled = await fetch(`${app.url}/api/teapot`);
    assert.is(throttled.status, 429);
    assert.is(throttled.headers.get('retry-after'), '30');
    assert.equal(await throttled.json(), { error: { code: 'slow_down', message: 'Try again later.' } });
    const fields = await fetch(`${app.url}/api/fields`);
    assert.equal(await fields.json(), { error: { code: 'invalid_input', message: 'Check the form.', fields: { email: 'required' } } });
    const koa = await fetch(`${app.url}/api/koa`);
    assert.equal(await koa.json(), { error: { code: 'bad_request', message: 'Bad thing' } });
    assert.is(app.logs.filter((entry) => entry.includes('request failed')).length, 0, '4xx are not logged as failures');
  } finally {
    await app.close();
  }
});

unknown.run();

const conversion = suite('toAppError');

conversion('never exposes the message of a 5xx', () => {
  const { error, status } = toAppError(Object.assign(new Error('db path'), { status: 503, expose: true }));
  assert.is(status, 500);
  assert.is(error.expose, false);
});

conversion('hides a 4xx message Koa marked as not exposable', () => {
  const { error, status } = toAppError(Object.assign(new Error('internal'), { status: 413, expose: false }));
  assert.equal([status, error.code, error.message], [413, 'payload_too_large', 'payload too large']);
});

conversion.run();
