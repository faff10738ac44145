import { request as httpRequest } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { availableParallelism } from 'node:os';
import { AVATARS_DIR_NAME, createPictureLimiter } from '../../server/accounts/picture-service.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { interlaced16BitPng, jpegWithGps, pixelBombPng, pngOf, uploadForm } from '../media/images.js';
import { FAST_BCRYPT, logIn, signUp, withCookie } from './helpers.js';

const avatars = suite('PUT/DELETE /api/me/avatar and the picture files');
let server: TestServer;
avatars.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
avatars.after(() => server.close());

const pictureFiles = (): string[] => readdirSync(join(server.dataDir, AVATARS_DIR_NAME)).sort();
const put = (cookie: string, body: FormData | string, headers: Record<string, string> = {}): Promise<Response> =>
  server.fetch('/api/me/avatar', withCookie(cookie, { method: 'PUT', body, headers }));

avatars('stores an uploaded photo as two WebP files with unguessable names, served with long caching and nosniff', async () => {
  const member = await signUp(server);
  const response = await put(member.cookie, uploadForm(await jpegWithGps(), 'holiday.png', 'image/png'));
  assert.is(response.status, 200);
  const { avatar } = await jsonOf(response);
  assert.match(avatar.large, /^\/media\/avatars\/[A-Za-z0-9_-]{22}-512\.webp$/);
  assert.match(avatar.small, /^\/media\/avatars\/[A-Za-z0-9_-]{22}-128\.webp$/);
  const served = await server.fetch(avatar.large);
  assert.is(served.status, 200);
  assert.is(served.headers.get('content-type'), 'image/webp');
  assert.is(served.headers.get('x-content-type-options'), 'nosniff');
  assert.is(served.headers.get('cross-origin-resource-policy'), 'same-origin');
  assert.match(served.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
  const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
  assert.is(meta.width, 512);
  assert.is(meta.exif, undefined);
  assert.is((await jsonOf(await server.fetch('/api/me', withCookie(member.cookie)))).avatar.large, avatar.large);
});

avatars('deletes the previous files when the picture is replaced or removed', async () => {
  const member = await signUp(server);
  const first = (await jsonOf(await put(member.cookie, uploadForm(await jpegWithGps())))).avatar;
  const before = pictureFiles();
  const second = (await jsonOf(await put(member.cookie, uploadForm(await pngOf(640, 480), 'b.png', 'image/png')))).avatar;
  assert.is.not(second.large, first.large);
  assert.is((await server.fetch(first.large)).status, 404);
  assert.is((await server.fetch(second.large)).status, 200);
  assert.is(pictureFiles().length, before.length, 'still two files for this member');
  const removed = await server.fetch('/api/me/avatar', withCookie(member.cookie, { method: 'DELETE' }));
  assert.is(removed.status, 204);
  assert.is((await server.fetch(second.large)).status, 404);
  assert.is(pictureFiles().length, before.length - 2);
  assert.is((await jsonOf(await server.fetch('/api/me', withCookie(member.cookie)))).avatar, null);
});

avatars('refuses bad uploads with a clear 4xx code and writes nothing', async () => {
  const member = await signUp(server);
  const before = pictureFiles();
  const cases: [FormData | string, Record<string, string>, number, string][] = [
    [uploadForm(await pixelBombPng(), 'bomb.png', 'image/png'), {}, 422, 'image_too_large'],
    [uploadForm(Buffer.from('GIF89a but not really'), 'x.gif', 'image/gif'), {}, 422, 'invalid_image'],
    [uploadForm(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'x.svg', 'image/svg+xml'), {}, 415, 'unsupported_image'],
    [uploadForm(Buffer.concat([await pngOf(8, 8), Buffer.alloc(10 * 1024 * 1024 + 1)]), 'big.png', 'image/png'), {}, 413, 'payload_too_large'],
    ['{"avatar":"x"}', { 'Content-Type': 'application/json' }, 415, 'unsupported_media_type'],
  ];
  for (const [body, headers, status, code] of cases) {
    const response = await put(member.cookie, body, headers);
    assert.is(response.status, status, code);
    assert.is((await jsonOf(response)).error.code, code);
  }
  const wrongField = new FormData();
  wrongField.append('picture', new Blob([new Uint8Array(await pngOf(8, 8))]), 'x.png');
  const missing = await put(member.cookie, wrongField);
  assert.is(missing.status, 400);
  assert.equal(pictureFiles(), before);
});

avatars('stops reading a chunked upload that runs past the limit', async () => {
  const member = await signUp(server);
  const before = pictureFiles();
  const boundary = 'porthello-test-boundary';
  const chunk = Buffer.alloc(1024 * 1024, 0x41);
  const MAX_SENT_MIB = 64;
  let sentMiB = 0;
  // The server answers 413 and closes the connection: depending on timing the client reads the
  // answer, or its next write fails first (EPIPE/ECONNRESET). Either way it stopped being read.
  const status = await withTimeout(
    new Promise<number | 'connection closed'>((resolve) => {
      const request = httpRequest(`${server.url}/api/me/avatar`, {
        method: 'PUT',
        headers: { Cookie: member.cookie, Origin: server.origin, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE' || error.code === 'ECONNRESET') resolve('connection closed');
      });
      request.write(`--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`);
      // Chunked, no Content-Length: would go on for 64 MiB; the server must answer long before.
      const pump = (): void => {
        if (request.destroyed || sentMiB >= MAX_SENT_MIB) return;
        sentMiB += 1;
        if (request.write(chunk)) setImmediate(pump);
        else request.once('drain', pump);
      };
      pump();
    }),
    'the answer to an endless upload',
  );
  assert.ok(status === 413 || status === 'connection closed', String(status));
  assert.ok(sentMiB < MAX_SENT_MIB, `the client sent ${sentMiB} MiB`);
  assert.equal(pictureFiles(), before);
});

avatars('serves only well-formed picture names and needs a session to upload', async () => {
  for (const path of ['/media/avatars/..%2F..%2Fporthello.sqlite', '/media/avatars/porthello.sqlite', '/media/avatars/AAAAAAAAAAAAAAAAAAAAAA-512.webp']) {
    assert.is((await server.fetch(path)).status, 404, path);
  }
  const anonymous = await server.fetch('/api/me/avatar', { method: 'PUT', body: uploadForm(await pngOf(8, 8)) });
  assert.is(anonymous.status, 401);
});

avatars('processes ten simultaneous uploads while log-ins still get through', async () => {
  const members = await Promise.all(Array.from({ length: 10 }, () => signUp(server)));
  const photos = await Promise.all(members.map((_, index) => jpegWithGps(index * 1000 + 7)));
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let uploadsDone = 0;
  const uploads = members.map(async (member, index) => {
    const response = await put(member.cookie, uploadForm(photos[index] ?? Buffer.alloc(0)));
    uploadsDone += 1;
    return response.status;
  });
  const login = await logIn(server, members[0]?.email ?? '', members[0]?.password ?? '');
  const doneWhenLoggedIn = uploadsDone;
  assert.is(login.status, 200);
  const statuses = await Promise.all(uploads);
  delay.disable();
  assert.equal(statuses, Array(10).fill(200));
  // Pictures are processed a bounded number at a time: the log-in does not wait for all of them.
  assert.ok(doneWhenLoggedIn < 10, `the log-in waited for ${doneWhenLoggedIn} of 10 uploads`);
  console.log(`  worst event-loop delay during the uploads: ${Math.round(delay.max / 1e6)} ms (information)`);
});

avatars('refuses an interlaced 16-bit PNG too costly to decode with 422, from its header', async () => {
  const member = await signUp(server);
  const response = await put(member.cookie, uploadForm(await interlaced16BitPng(4000, 3200), 'deep.png', 'image/png'));
  assert.is(response.status, 422);
  assert.is((await jsonOf(response)).error.code, 'image_too_costly');
});

avatars.run();

const bound = suite('pictures decoded at once');

bound('decodes one picture per core at once, for different members, and queues the next', async () => {
  const limiter = createPictureLimiter();
  const cores = availableParallelism();
  const finishers: (() => void)[] = [];
  const job = (): Promise<void> => new Promise<void>((resolve) => finishers.push(resolve));
  const jobs = Array.from({ length: cores + 1 }, (_, index) => limiter.run(`member-${index}`, job));
  await waitUntil(() => finishers.length === cores, `${cores} decodes to start`);
  assert.is(limiter.active, cores);
  assert.is(limiter.waiting, 1, 'the next one waits for a free core');
  finishers.shift()?.();
  await waitUntil(() => finishers.length === cores, 'the waiting decode to start once one ends');
  assert.is(limiter.waiting, 0);
  for (const finish of finishers.splice(0)) finish();
  await withTimeout(Promise.all(jobs), 'every decode to end');
});

bound.run();

const fairness = suite('picture uploads under a flood from one member');

/** More uploads at once than the processing queue holds. */
const FLOOD_UPLOADS = 30;
const FLOOD_WAIT_MS = 120_000;

fairness("one member's flood of uploads gets 429s beyond their own bound and never keeps another member's upload at 503", async () => {
  const own = await startTestServer({ env: FAST_BCRYPT });
  try {
    const [flooder, other] = [await signUp(own), await signUp(own)];
    // Large enough that each takes a while to decode: the queue stays full while the flood lasts.
    const photo = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#aa3366' } })
      .jpeg()
      .toBuffer();
    const memoryBefore = process.memoryUsage().rss;
    const statuses: number[] = [];
    const flood = Promise.all(
      Array.from({ length: FLOOD_UPLOADS }, async () => {
        const response = await own.fetch('/api/me/avatar', withCookie(flooder.cookie, { method: 'PUT', body: uploadForm(photo) }));
        statuses.push(response.status);
        await response.body?.cancel();
      }),
    );
    await waitUntil(() => statuses.some((status) => status !== 200), 'a flood upload refused', FLOOD_WAIT_MS);
    const started = performance.now();
    const healthz = await own.fetch('/healthz');
    const healthzMs = Math.round(performance.now() - started);
    assert.is(healthz.status, 200);
    const response = await withTimeout(
      own.fetch('/api/me/avatar', withCookie(other.cookie, { method: 'PUT', body: uploadForm(await pngOf(64, 64), 'me.png', 'image/png') })),
      'the other upload',
      FLOOD_WAIT_MS,
    );
    assert.is(response.status, 200, `the other member's upload answered ${response.status}`);
    await withTimeout(flood, 'the flood to be answered', FLOOD_WAIT_MS);
    const refused = statuses.filter((status) => status === 429).length;
    assert.ok(
      statuses.every((status) => status === 200 || status === 429),
      `flood statuses: ${[...new Set(statuses)].join(', ')}`,
    );
    assert.ok(refused >= FLOOD_UPLOADS / 2, `only ${refused} of ${FLOOD_UPLOADS} refused`);
    console.log(
      `  ${FLOOD_UPLOADS} uploads from one member: ${FLOOD_UPLOADS - refused} processed, ${refused} refused 429; ` +
        `rss ${(memoryBefore / 1e6).toFixed(0)} -> ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB; /healthz ${healthzMs} ms during (information)`,
    );
  } finally {
    await own.close();
  }
});

fairness.run();
