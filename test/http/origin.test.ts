import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { FAST_BCRYPT, signUp, withCookie } from '../accounts/helpers.js';
import { pngOf, uploadForm } from '../media/images.js';

const origin = suite('Origin check on state-changing API requests');
let server: TestServer;
origin.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
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

origin('matches paths exactly: no letter case or trailing-slash spelling of an API path skips the check or reaches a route', async () => {
  const member = await signUp(server);
  assert.is(
    (await server.fetch('/api/me/avatar', withCookie(member.cookie, { method: 'PUT', body: uploadForm(await pngOf(64, 64), 'me.png', 'image/png') }))).status,
    200,
  );
  const linkBefore = await jsonOf(await server.fetch('/api/me/call-link', withCookie(member.cookie)));
  const attempts: [string, string][] = [
    ['POST', '/API/me/call-link'],
    ['POST', '/Api/me/call-link'],
    ['POST', '/api/ME/call-link'],
    ['POST', '/api/me/call-link/'],
    ['POST', '/API/auth/logout'],
    ['POST', '/api/auth/LOGOUT'],
    ['POST', '/api/auth/logout/'],
    ['DELETE', '/API/me/avatar'],
    ['DELETE', '/api/me/Avatar'],
    ['DELETE', '/api/me/avatar/'],
    ['DELETE', '/API/ME'],
  ];
  for (const [method, path] of attempts) {
    for (const from of ['https://evil.example', server.origin]) {
      const response = await fetch(server.url + path, { method, headers: { Origin: from, Cookie: member.cookie } });
      const expected = from === server.origin ? 404 : 403;
      assert.is(response.status, expected, `${method} ${path} from ${from}`);
      assert.is((await jsonOf(response)).error.code, expected === 403 ? 'bad_origin' : 'not_found');
    }
  }
  const me = await server.fetch('/api/me', withCookie(member.cookie));
  assert.is(me.status, 200, 'still logged in');
  assert.ok((await jsonOf(me)).avatar, 'the picture is still there');
  assert.equal(await jsonOf(await server.fetch('/api/me/call-link', withCookie(member.cookie))), linkBefore, 'the link was not replaced');
});

origin.run();
