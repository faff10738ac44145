// Baselines of the HTTP figures, each alone in its process on 127.0.0.1, printing "listening PORT":
//
//   node dist/scripts/bench/bare-http.js node    an empty node:http server (start-up baseline)
//   node dist/scripts/bench/bare-http.js koa     a bare Koa app answering GET /api/me with the
//                                                same JSON Porthello returns (req/s baseline)
//
// The JSON is read from the PORTHELLO_BENCH_ME_JSON variable. Runs until SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';

const kind = process.argv[2] ?? 'node';
const body = process.env['PORTHELLO_BENCH_ME_JSON'] ?? '{}';

function handler(): Parameters<typeof createServer>[1] {
  if (kind === 'node') return (_request, response) => response.end('ok');
  const app = new Koa();
  const parsed = JSON.parse(body) as object;
  app.use((ctx) => {
    ctx.body = parsed;
  });
  return app.callback();
}

const server = createServer(handler());
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => process.exit(0));
