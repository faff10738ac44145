// Real images made in the tests with sharp: a photo with GPS EXIF, a pixel bomb, garbage.
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A 800×600 JPEG carrying camera and GPS EXIF data (Paris), with a unique colour per call. */
export async function jpegWithGps(seed = Math.floor(Math.random() * 0xffffff)): Promise<Buffer> {
  const colour = `#${seed.toString(16).padStart(6, '0')}`;
  // PNG and raw only: the server under test blocks the SVG loader in this process.
  const patch = await sharp({ create: { width: 240, height: 240, channels: 3, background: '#ffffff' } }).png().toBuffer();
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
  const left = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#ff0000' } }).png().toBuffer();
  return sharp({ create: { width: 400, height: 200, channels: 3, background: '#0000ff' } })
    .composite([{ input: left, left: 0, top: 0 }])
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A tiny PNG whose header declares width × height pixels: a decompression ("pixel flood") bomb. */
export async function pixelBombPng(width = 100_000, height = 100_000): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer());
  // IHDR data starts at byte 16 (8 signature + 4 length + 4 type); its CRC follows at 29.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

export async function pngOf(width: number, height: number, colour = '#33aa66'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: colour } }).png().toBuffer();
}

export function uploadForm(bytes: Buffer, fileName = 'me.jpg', type = 'image/jpeg'): FormData {
  const form = new FormData();
  form.append('avatar', new Blob([new Uint8Array(bytes)], { type }), fileName);
  return form;
}
