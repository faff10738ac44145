// The open pages whose header the session shapes (home, help): a visitor sees log-in, a member
// their own links, and neither answer is ever cached, since it says who is logged in.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp } from '../accounts/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const pages = suite('pages shaped by the session');
let server: TestServer;

pages.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
pages.after(() => server.close());

pages('home and help show a member their own header and are never cached', async () => {
  const member = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  for (const path of ['/', '/help']) {
    const visitor = await server.fetch(path);
    const signedIn = await server.fetch(path, { headers: { Cookie: member.cookie } });
    for (const response of [visitor, signedIn]) assert.is(response.headers.get('cache-control'), 'no-store', path);
    const [visitorPage, memberPage] = [await visitor.text(), await signedIn.text()];
    assert.match(visitorPage, 'href="/login"', path);
    assert.not.match(visitorPage, 'href="/calls"', path);
    assert.match(memberPage, 'href="/calls"', path);
  }
});

pages.run();
