import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';

const assets = suite('static assets');
let server: TestServer;
assets.before(async () => {
  server = await startTestServer();
});
assets.after(() => server.close());

assets('serves built assets with their type, an ETag and revalidation', async () => {
  const css = await server.fetch('/assets/css/app.css');
  assert.is(css.status, 200);
  assert.is(css.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.is(css.headers.get('cache-control'), 'no-cache');
  const etag = css.headers.get('etag') ?? '';
  assert.match(etag, /^"[\w-]+"$/);
  assert.match(await css.text(), /--accent/);
  const svg = await server.fetch('/assets/img/icon.svg');
  assert.is(svg.headers.get('content-type'), 'image/svg+xml');
  await svg.arrayBuffer();
  const again = await server.fetch('/assets/css/app.css', { headers: { 'If-None-Match': etag } });
  assert.is(again.status, 304);
});

assets('serves nothing outside the built assets, however the path is spelled', async () => {
  for (const path of [
    '/assets/../package.json',
    '/assets/%2e%2e/package.json',
    '/assets/..%2fpackage.json',
    '/assets/css/',
    '/assets/nope.js',
    '/package.json',
  ]) {
    const response = await server.fetch(path);
    assert.is(response.status, 404, path);
    assert.not.match(await response.text(), /"name": "porthello"/, path);
  }
});

assets('ship a stylesheet whose blocks are all closed', async () => {
  // An unclosed block silently swallows every rule after it into the block above.
  const css = (await (await server.fetch('/assets/css/app.css')).text()).replace(/\/\*[\s\S]*?\*\//g, '').replace(/"[^"]*"/g, '""');
  let depth = 0;
  for (const char of css) {
    if (char === '{') depth += 1;
    if (char === '}') depth -= 1;
    assert.ok(depth >= 0, 'a closing brace without its opening one');
  }
  assert.is(depth, 0, 'every block is closed');
});

assets.run();
