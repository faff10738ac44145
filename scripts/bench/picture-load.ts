// Picture load, in its own process, printing one JSON line { ms, peakRssMb }:
//
//   node dist/scripts/bench/picture-load.js sharp FILE N          sharp alone: N pictures at once,
//        each resized as Porthello stores them (512 px WebP, then 128 px from it)
//   node dist/scripts/bench/picture-load.js upload URL FILE COOKIE...   one PUT /api/me/avatar per
//        cookie, all at once, against the server under test
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { memoryOf } from './common.js';

/** The sizes and quality server/media/pictures.ts stores. */
const LARGE_PX = 512;
const SMALL_PX = 128;
const QUALITY = 82;

async function sharpAlone(bytes: Buffer): Promise<void> {
  const large = await sharp(bytes, { autoOrient: true })
    .resize(LARGE_PX, LARGE_PX, { fit: 'cover' })
    .toColourspace('srgb')
    .webp({ quality: QUALITY })
    .toBuffer();
  await sharp(large).resize(SMALL_PX, SMALL_PX).webp({ quality: QUALITY }).toBuffer();
}

type Multipart = { body: Uint8Array<ArrayBuffer>; type: string };

/**
 * The upload's multipart body, encoded once before the clock starts. A browser sends a chosen file
 * natively; Node's FormData encoding (undici, in JavaScript) takes 100–300 ms for this photo,
 * more than the server's whole work, and timing it measured the load generator, not the server.
 */
async function multipartOf(bytes: Buffer): Promise<Multipart> {
  const form = new FormData();
  form.append('avatar', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'photo.jpg');
  const encoded = new Response(form);
  return { body: new Uint8Array(await encoded.arrayBuffer()), type: encoded.headers.get('content-type') ?? '' };
}

async function upload(url: string, multipart: Multipart, cookie: string, origin: string): Promise<void> {
  const response = await fetch(`${url}/api/me/avatar`, {
    method: 'PUT',
    body: multipart.body,
    headers: { 'Content-Type': multipart.type, Cookie: cookie, Origin: origin },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`upload answered ${response.status}: ${text}`);
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  let started = performance.now();
  if (mode === 'sharp') {
    const [file = '', count = '1'] = rest;
    const bytes = readFileSync(file);
    // One untimed first, as the server has warmed up before its first upload is timed.
    await sharpAlone(bytes);
    started = performance.now();
    await Promise.all(Array.from({ length: Number(count) }, () => sharpAlone(bytes)));
  } else if (mode === 'upload') {
    const [url = '', file = '', origin = '', ...cookies] = rest;
    const multipart = await multipartOf(readFileSync(file));
    await upload(url, multipart, cookies[0] ?? '', origin);
    started = performance.now();
    await Promise.all(cookies.map((cookie) => upload(url, multipart, cookie, origin)));
  } else throw new Error('mode: sharp or upload');
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, peakRssMb: memoryOf(process.pid).peakRssMb })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`picture-load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
