// Requests under /api reach only the API router, others only the page routers
// (server/http/dispatch.ts): the answers of both, refusals included, stay what each router gives.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequestIds, REQUEST_ID_BYTES } from '../../server/http/request-id.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const routing = suite('routing by area');
let server: TestServer;
routing.before(async () => {
  server = await startTestServer();
});
routing.after(() => server.close());

routing('answers an API path’s unsupported method with 405 and the methods it takes', async () => {
  const response = await server.fetch('/api/me', { method: 'PUT' });
  assert.is(response.status, 405);
  assert.is(response.headers.get('allow'), 'HEAD, GET, PATCH, DELETE');
});

routing('answers OPTIONS on an API path with the methods it takes', async () => {
  const response = await server.fetch('/api/me', { method: 'OPTIONS' });
  assert.is(response.status, 200);
  assert.is(response.headers.get('allow'), 'HEAD, GET, PATCH, DELETE');
});

routing('answers a page path’s unsupported method with 405, and OPTIONS with its methods', async () => {
  const refused = await server.fetch('/healthz', { method: 'POST' });
  assert.is(refused.status, 405);
  const options = await server.fetch('/healthz', { method: 'OPTIONS' });
  assert.is(options.status, 200);
  assert.is(options.headers.get('allow'), 'HEAD, GET');
});

routing('reaches no route through another letter case of /api: a JSON 404', async () => {
  const response = await server.fetch('/API/me');
  assert.is(response.status, 404);
  assert.equal(await response.json(), { error: { code: 'not_found', message: 'Not found.' } });
});

routing('serves pages and the API side by side', async () => {
  assert.is((await server.fetch('/healthz')).status, 200);
  assert.is((await server.fetch('/api/me')).status, 401);
  assert.match(await (await server.fetch('/login?lang=en')).text(), /<html lang="en">/);
});

routing.run();

const ids = suite('request ids');

ids('are 16 hex characters and never repeat, across refills of their pool', () => {
  const next = createRequestIds();
  const seen = new Set<string>();
  // Several pools' worth (512 ids each).
  for (let index = 0; index < 2_000; index++) {
    const id = next();
    assert.match(id, /^[0-9a-f]{16}$/);
    seen.add(id);
  }
  assert.is(seen.size, 2_000);
  assert.is(REQUEST_ID_BYTES * 2, 16);
});

ids('differ between two sources, so a restart does not replay ids', () => {
  const first = createRequestIds();
  const second = createRequestIds();
  assert.is.not(first(), second());
});

ids.run();
