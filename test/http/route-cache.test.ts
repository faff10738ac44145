// The API router's cached dispatch (server/http/route-cache.ts) against the router itself: the
// same answers and the same routing state on the context, and the table matched only once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AppContext, AppMiddleware, AppState } from '../../server/http/context.js';
import { cachedRoutes } from '../../server/http/route-cache.js';
import { createRouter } from '../../server/http/router.js';

type Seen = Record<string, unknown>;

/** A router shaped like the API's: a prefix, groups nested with `use`, path middleware, parameters. */
function apiLike(): ReturnType<typeof createRouter> {
  const group = createRouter();
  group.use('/me', async (ctx, next) => {
    ctx.set('X-Me', 'yes');
    await next();
  });
  group.get('/me', (ctx) => {
    ctx.body = { route: 'get me' };
  });
  group.patch('/me', (ctx) => {
    ctx.body = { route: 'patch me' };
  });
  group.get('/me/items/:id', (ctx) => {
    ctx.body = { route: 'item', id: ctx.params['id'] };
  });
  // Passes on: whatever comes after the router answers.
  group.get('/me/next', async (_ctx, next) => {
    await next();
  });
  const other = createRouter();
  other.use(async (ctx, next) => {
    ctx.set('X-Group', 'other');
    await next();
  });
  other.get('/other', (ctx) => {
    ctx.body = { route: 'other' };
  });
  const api = createRouter({ prefix: '/api' });
  api.use(group.routes());
  api.use(other.routes());
  return api;
}

/** What the routing left on the context, read once the chain has run. */
function recordRouting(seen: Seen[]): AppMiddleware {
  return async (ctx, next) => {
    await next();
    const routed = ctx as AppContext & Seen & { matched?: { path: unknown }[] };
    seen.push({
      matched: routed.matched?.map((layer) => String(layer.path)),
      matchedRoute: routed['_matchedRoute'],
      routeMatched: routed['routeMatched'],
      params: routed['params'],
      captures: routed['captures'],
      routerPath: routed['routerPath'],
    });
  };
}

async function serve(
  routes: (router: ReturnType<typeof createRouter>) => AppMiddleware,
  seen: Seen[],
): Promise<{ server: Server; url: string; router: ReturnType<typeof createRouter> }> {
  const router = apiLike();
  const app = new Koa<AppState>();
  app.use(recordRouting(seen));
  app.use(routes(router));
  app.use(router.allowedMethods() as AppMiddleware);
  app.use((ctx) => {
    ctx.body = { fellThrough: true };
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, router };
}

const REQUESTS: readonly [string, string][] = [
  ['GET', '/api/me'],
  ['HEAD', '/api/me'],
  ['PATCH', '/api/me'],
  ['PUT', '/api/me'],
  ['OPTIONS', '/api/me'],
  ['GET', '/api/me/items/a%20b'],
  ['GET', '/api/me/next'],
  ['GET', '/api/other'],
  ['GET', '/api/me/'],
  ['GET', '/API/me'],
  ['GET', '/api/nothing'],
];

async function answer(url: string, method: string, path: string): Promise<Seen> {
  const response = await fetch(url + path, { method });
  const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
  return { status: response.status, headers, body: await response.text() };
}

const cache = suite('cached API dispatch');
const plainSeen: Seen[] = [];
const cachedSeen: Seen[] = [];
let plain: Awaited<ReturnType<typeof serve>>;
let cached: Awaited<ReturnType<typeof serve>>;
cache.before(async () => {
  plain = await serve((router) => router.routes() as AppMiddleware, plainSeen);
  cached = await serve(cachedRoutes, cachedSeen);
});
cache.after(async () => {
  await new Promise((resolve) => plain.server.close(resolve));
  await new Promise((resolve) => cached.server.close(resolve));
});

cache('answers every request as the router does, with the same routing state on the context', async () => {
  // Twice: the first request of a path builds its entry, the second uses it.
  for (const round of [1, 2]) {
    for (const [method, path] of REQUESTS) {
      plainSeen.length = 0;
      cachedSeen.length = 0;
      const expected = await answer(plain.url, method, path);
      const actual = await answer(cached.url, method, path);
      assert.equal(actual, expected, `${method} ${path}, round ${round}`);
      assert.equal(cachedSeen, plainSeen, `context after ${method} ${path}, round ${round}`);
    }
  }
});

cache('matches a path without parameters against the table once, not on every request', async () => {
  let matches = 0;
  const match = cached.router.match.bind(cached.router);
  cached.router.match = (path, method) => {
    matches += 1;
    return match(path, method);
  };
  try {
    // The table is built by the first test's requests already.
    for (let index = 0; index < 5; index++) assert.is((await fetch(`${cached.url}/api/me`)).status, 200);
    assert.is(matches, 0);
    // A path with a parameter still goes through the router, each time.
    for (let index = 0; index < 2; index++) assert.is((await fetch(`${cached.url}/api/me/items/x`)).status, 200);
    assert.is(matches, 2);
  } finally {
    cached.router.match = match;
  }
});

cache.run();
