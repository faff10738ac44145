import { AppError } from '../../server/errors.js';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  checkDecodingBudget,
  MAX_COSTLY_DECODED_BYTES,
  MAX_DECODED_BYTES,
  MAX_INPUT_PIXELS,
  processPicture,
  sniffFormat,
} from '../../server/media/pictures.js';
import { forgedPngHeader, interlaced16BitPng, jpegWithGps, pixelBombPng, pngOf, sidewaysJpeg } from './images.js';

const processing = suite('processPicture (real sharp)');

async function rejects(bytes: Buffer): Promise<AppError> {
  try {
    await processPicture(bytes);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  assert.unreachable('the picture was accepted');
  throw new Error('unreachable');
}

processing('re-encodes a JPEG to square WebP at 512 and 128 px with no EXIF, GPS, XMP or ICC left', async () => {
  const photo = await jpegWithGps();
  const before = await sharp(photo).metadata();
  assert.ok(before.exif?.includes(Buffer.from('PorthelloCam')), 'the test photo carries EXIF');
  const { large, small } = await processPicture(photo);
  for (const [output, size] of [
    [large, 512],
    [small, 128],
  ] as const) {
    const meta = await sharp(output).metadata();
    assert.is(meta.format, 'webp');
    assert.is(meta.width, size);
    assert.is(meta.height, size);
    assert.is(meta.exif, undefined);
    assert.is(meta.xmp, undefined);
    assert.is(meta.icc, undefined);
    assert.is(meta.iptc, undefined);
    for (const needle of ['PorthelloCam', 'SecretModel', 'GPS', 'Exif']) assert.not.ok(output.includes(Buffer.from(needle)), needle);
  }
});

processing('converts a wide-gamut (Display P3) picture to sRGB and drops its ICC profile and XMP', async () => {
  const wide = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#20c060' } })
    .withIccProfile('p3')
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Secret Photographer"/></rdf:RDF></x:xmpmeta>',
    )
    .jpeg()
    .toBuffer();
  const before = await sharp(wide).metadata();
  assert.ok(before.icc !== undefined && before.xmp !== undefined, 'the test picture carries ICC and XMP');
  const { large } = await processPicture(wide);
  const after = await sharp(large).metadata();
  assert.is(after.icc, undefined);
  assert.is(after.xmp, undefined);
  assert.is(after.space, 'srgb');
  assert.not.ok(large.includes(Buffer.from('Secret Photographer')));
});

processing('applies the EXIF orientation before dropping it', async () => {
  const { large } = await processPicture(await sidewaysJpeg());
  const { data, info } = await sharp(large).raw().toBuffer({ resolveWithObject: true });
  const pixel = (x: number, y: number): [number, number, number] => {
    const offset = (y * info.width + x) * info.channels;
    return [data[offset] ?? 0, data[offset + 1] ?? 0, data[offset + 2] ?? 0];
  };
  const [topRed, , topBlue] = pixel(256, 20);
  const [bottomRed, , bottomBlue] = pixel(256, 490);
  assert.ok(topRed > 200 && topBlue < 60, `top is red: ${pixel(256, 20)}`);
  assert.ok(bottomBlue > 200 && bottomRed < 60, `bottom is blue: ${pixel(256, 490)}`);
});

processing('drops bytes appended after the image (polyglot payloads)', async () => {
  const photo = Buffer.concat([await jpegWithGps(), Buffer.from('<script>alert("hi")</script>')]);
  const { large } = await processPicture(photo);
  assert.not.ok(large.includes(Buffer.from('<script>')));
});

processing('takes PNG, WebP, GIF (first frame) and AVIF, sniffed from their bytes', async () => {
  const base = () => sharp({ create: { width: 300, height: 200, channels: 4, background: '#2266cc' } });
  for (const [name, bytes] of [
    ['png', await base().png().toBuffer()],
    ['webp', await base().webp().toBuffer()],
    ['gif', await base().gif().toBuffer()],
    ['avif', await base().avif().toBuffer()],
  ] as const) {
    assert.is(sniffFormat(bytes), name);
    const { small } = await processPicture(bytes);
    assert.is((await sharp(small).metadata()).width, 128, name);
  }
});

processing('refuses a pixel bomb as unprocessable, image_too_large', async () => {
  const error = await rejects(await pixelBombPng());
  assert.is(error.kind, 'unprocessable');
  assert.is(error.code, 'image_too_large');
  const justOver = await rejects(await pixelBombPng(10_000, Math.ceil(MAX_INPUT_PIXELS / 10_000) + 1));
  assert.is(justOver.code, 'image_too_large');
});

processing('refuses garbage, TIFF, SVG and PDF as unsupported, and a truncated JPEG as unprocessable', async () => {
  assert.is((await rejects(Buffer.from('definitely not a picture'))).kind, 'unsupported');
  const tiff = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
    .tiff()
    .toBuffer();
  assert.is((await rejects(tiff)).code, 'unsupported_image');
  assert.is((await rejects(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'))).code, 'unsupported_image');
  assert.is((await rejects(Buffer.from('%PDF-1.4\n%âãÏÓ\n'))).code, 'unsupported_image');
  const photo = await jpegWithGps();
  const truncated = await rejects(photo.subarray(0, Math.floor(photo.length / 2)));
  assert.is(truncated.kind, 'unprocessable');
  assert.is(truncated.code, 'invalid_image');
  const fakePng = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)]);
  assert.is((await rejects(fakePng)).kind, 'unprocessable');
});

processing('counts decoded bytes from the header: width × height × channels × bytes per sample, tighter for interlaced or 16-bit input', async () => {
  // 16-bit RGBA, not interlaced: 6000 × 5000 × 4 × 2 = 240 MB, under the pixel limit.
  const deep = await rejects(await forgedPngHeader({ width: 6000, height: 5000, bitDepth: 16, colourType: 6, interlaced: false }));
  assert.is(deep.code, 'image_too_costly');
  // 8-bit RGBA interlaced: 6000 × 5000 × 4 = 120 MB, over the interlaced budget only.
  assert.is((await rejects(await forgedPngHeader({ width: 6000, height: 5000, bitDepth: 8, colourType: 6, interlaced: true }))).code, 'image_too_costly');
  // The same, not interlaced: within budget, so decoding starts and finds one pixel of data.
  assert.is((await rejects(await forgedPngHeader({ width: 6000, height: 5000, bitDepth: 8, colourType: 6, interlaced: false }))).code, 'invalid_image');
  const at = (width: number, height: number, channels: 3 | 4, depth: 'uchar' | 'ushort', isProgressive: boolean) => () =>
    checkDecodingBudget({ width, height, channels, depth, isProgressive });
  assert.not.throws(at(7000, 7000, 4, 'uchar', false), 'a 49 MP RGBA photo: 196 MB');
  assert.throws(at(7100, 7100, 4, 'uchar', false), (error: AppError) => error.code === 'image_too_large' && MAX_DECODED_BYTES < 7100 * 7100 * 4);
  assert.not.throws(at(6000, 4000, 3, 'uchar', true), 'a 24 MP progressive JPEG: 72 MB');
  assert.throws(at(4000, 4000, 4, 'ushort', false), (error: AppError) => error.code === 'image_too_costly' && MAX_COSTLY_DECODED_BYTES < 4000 * 4000 * 8);
  assert.not.throws(at(3000, 3000, 4, 'ushort', false), 'a 9 MP 16-bit RGBA PNG: 72 MB');
});

processing('refuses a real interlaced 16-bit PNG too costly to decode before decoding it, and takes a small one', async () => {
  const costly = await interlaced16BitPng(4000, 3200);
  assert.ok(costly.length < 1024 * 1024, `${costly.length} bytes on disk`);
  assert.is((await rejects(costly)).code, 'image_too_costly');
  const small = await processPicture(await interlaced16BitPng(300, 200));
  assert.is((await sharp(small.large).metadata()).width, 512);
});

processing('refuses more than 10 MiB as too large', async () => {
  const big = Buffer.concat([await pngOf(10, 10), Buffer.alloc(10 * 1024 * 1024)]);
  assert.is((await rejects(big)).kind, 'too_large');
});

processing.run();
