import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';

const origin = suite('Origin check on state-changing API requests');
let server: TestServer;
origin.before(async () => {
  server = await startTestServer();
});
origin.after(() => server.close());

const post = (headers: Record<string, string>): Promise<Response> =>
  fetch(`${server.url}/api/anything`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });

origin('refuses another origin, a look-alike prefix, "null" and a missing Origin with 403 bad_origin', async () => {
  const refused: Record<string, string>[] = [
    { Origin: 'https://evil.example' },
    { Origin: `${server.origin}.evil.example` },
    { Origin: server.origin.replace('127.0.0.1', 'localhost') },
    { Origin: 'null' },
    {},
  ];
  for (const headers of refused) {
    const response = await post(headers);
    assert.is(response.status, 403, JSON.stringify(headers));
    assert.is((await jsonOf(response)).error.code, 'bad_origin');
  }
});

origin('lets the exact public origin through to routing', async () => {
  const response = await post({ Origin: server.origin });
  assert.is(response.status, 404);
  assert.is((await jsonOf(response)).error.code, 'not_found');
});

origin('does not apply to safe methods or to pages', async () => {
  const get = await fetch(`${server.url}/healthz`, { headers: { Origin: 'https://evil.example' } });
  assert.is(get.status, 200);
  await get.arrayBuffer();
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    const response = await fetch(`${server.url}/api/anything`, { method, headers: { Origin: 'https://evil.example' } });
    assert.is(response.status, 403, method);
    await response.arrayBuffer();
  }
});

origin.run();
