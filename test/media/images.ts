// Real images made in the tests with sharp: a photo with GPS EXIF, a pixel bomb, garbage.
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A 800×600 JPEG carrying camera and GPS EXIF data (Paris), with a unique colour per call. */
export async function jpegWithGps(seed = Math.floor(Math.random() * 0xffffff)): Promise<Buffer> {
  const colour = `#${seed.toString(16).padStart(6, '0')}`;
  // PNG and raw only: the server under test blocks the SVG loader in this process.
  const patch = await sharp({ create: { width: 240, height: 240, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
  return sharp({ create: { width: 800, height: 600, channels: 3, background: colour } })
    .composite([{ input: patch, top: 180, left: seed % 500 }])
    .jpeg({ quality: 90 })
    .withExifMerge({
      IFD0: { Make: 'PorthelloCam', Model: 'SecretModel 9000' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' },
    })
    .toBuffer();
}

/**
 * A 400×200 image, red on its left half and blue on its right, stored with an EXIF orientation
 * that says "rotate 90° clockwise to display": shown upright it is red on top.
 */
export async function sidewaysJpeg(): Promise<Buffer> {
  const left = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#ff0000' } })
    .png()
    .toBuffer();
  return sharp({ create: { width: 400, height: 200, channels: 3, background: '#0000ff' } })
    .composite([{ input: left, left: 0, top: 0 }])
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A tiny PNG whose header declares width × height pixels: a decompression ("pixel flood") bomb. */
export async function pixelBombPng(width = 100_000, height = 100_000): Promise<Buffer> {
  return forgedPngHeader({ width, height });
}

/**
 * A tiny PNG whose header (IHDR) declares what is asked: size, bits per sample, colour type (6 =
 * RGBA), Adam7 interlacing. Its one data chunk holds one pixel, so decoding it would fail; only
 * a decoder that reads the header first and refuses can answer something else than "damaged".
 */
export async function forgedPngHeader(header: { width: number; height: number; bitDepth?: 8 | 16; colourType?: 2 | 6; interlaced?: boolean }): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
      .png()
      .toBuffer(),
  );
  // IHDR data starts at byte 16 (8 signature + 4 length + 4 type): width, height, bit depth,
  // colour type, compression, filter, interlace; its CRC follows at 29.
  png.writeUInt32BE(header.width, 16);
  png.writeUInt32BE(header.height, 20);
  if (header.bitDepth !== undefined) png.writeUInt8(header.bitDepth, 24);
  if (header.colourType !== undefined) png.writeUInt8(header.colourType, 25);
  if (header.interlaced !== undefined) png.writeUInt8(header.interlaced ? 1 : 0, 28);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

/** A real, complete interlaced (Adam7) 16-bit RGBA PNG: small on disk, costly to decode. */
export function interlaced16BitPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: '#336699' } })
    .toColourspace('rgb16')
    .png({ progressive: true, compressionLevel: 9 })
    .toBuffer();
}

export async function pngOf(width: number, height: number, colour = '#33aa66'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: colour } })
    .png()
    .toBuffer();
}

export function uploadForm(bytes: Buffer, fileName = 'me.jpg', type = 'image/jpeg'): FormData {
  const form = new FormData();
  form.append('avatar', new Blob([new Uint8Array(bytes)], { type }), fileName);
  return form;
}
