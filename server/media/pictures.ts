// Profile pictures: the only module that imports sharp, and where its defaults are tightened.
// Input is sniffed from its first bytes (the declared type is never trusted), decoded under a
// pixel limit with every loader but ours blocked, auto-rotated, cropped square and re-encoded to
// WebP. Re-encoding keeps pixels only: EXIF (GPS, camera), XMP, IPTC and ICC profiles are
// dropped (colours are converted to sRGB first), and appended or polyglot payloads vanish.
import sharp, { type Metadata, type SharpOptions } from 'sharp';

// The utilities hang off the default export at run time; sharp's ESM typings declare them as
// named exports, which do not exist. One cast, here.
const libvips = sharp as unknown as {
  block(options: { operation: string[] }): void;
  unblock(options: { operation: string[] }): void;
  cache(options: boolean): unknown;
  concurrency(threads: number): number;
};
import { AppError, tooLarge } from '../errors.js';

/** Bytes accepted for an upload: a large phone photo fits. */
export const MAX_PICTURE_BYTES = 10 * 1024 * 1024;
/**
 * Pixels accepted before decoding: a 48-50 MP phone photo passes; a "pixel flood" (a small file
 * declaring 14000×14000 and more, ~200 M pixels, hundreds of MB once decoded) does not. sharp's
 * default is 268 M.
 */
export const MAX_INPUT_PIXELS = 50_000_000;
/**
 * Bytes the decoded input may take, counted from the header before any decoding: width ×
 * height × channels × bytes per sample. A 50 MP photo at 8 bits per sample with alpha fits.
 */
export const MAX_DECODED_BYTES = 200_000_000;
/**
 * The tighter budget of inputs that cost far more per byte to decode: interlaced PNG and
 * progressive JPEG (decoded whole, in several passes, not streamed) and 16-bit samples (twice
 * the memory, and converted on the way). A 24 MP progressive JPEG or a 12 MP 16-bit RGBA PNG
 * still fits; a small file declaring a large interlaced 16-bit image (20 s of CPU and 0.5 GB
 * once decoded) does not.
 */
export const MAX_COSTLY_DECODED_BYTES = 100_000_000;
export const LARGE_SIZE_PX = 512;
export const SMALL_SIZE_PX = 128;
/** A decode that takes longer than this is abuse or a broken file. */
const PROCESSING_TIMEOUT_S = 15;
const WEBP_QUALITY = 82;

export type PictureFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'heic';

// Only buffer loaders of the formats we take: SVG (scripts, external entities), TIFF, PDF, raw
// and every file loader stay blocked even if sniffing were fooled.
libvips.block({ operation: ['VipsForeignLoad'] });
libvips.unblock({
  operation: ['VipsForeignLoadJpegBuffer', 'VipsForeignLoadPngBuffer', 'VipsForeignLoadWebpBuffer', 'VipsForeignLoadNsgifBuffer', 'VipsForeignLoadHeifBuffer'],
});
// No cache of decoded images between requests (memory, and nothing of one member kept around);
// one libvips thread per image: concurrency is bounded by the caller's limiter.
libvips.cache(false);
libvips.concurrency(1);

/** The real format of the bytes, or null when it is not one we take. */
export function sniffFormat(bytes: Buffer): PictureFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) return 'gif';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp') {
    const brand = bytes.toString('latin1', 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heic';
  }
  return null;
}

export type Picture = Readonly<{ large: Buffer; small: Buffer }>;

const unsupported = (): AppError => new AppError('unsupported', 'unsupported_image', 'Send a JPEG, PNG, WebP, GIF, AVIF or HEIC picture.');
const tooManyPixels = (): AppError => new AppError('unprocessable', 'image_too_large', `The picture has more than ${MAX_INPUT_PIXELS} pixels.`);
const tooManyBytes = (): AppError =>
  new AppError('unprocessable', 'image_too_large', `The picture would take more than ${MAX_DECODED_BYTES} bytes once decoded.`);
const tooCostly = (): AppError =>
  new AppError(
    'unprocessable',
    'image_too_costly',
    'The picture is too large to decode in this format (interlaced or 16 bits per channel): save it smaller or as an ordinary JPEG.',
  );
const invalid = (): AppError => new AppError('unprocessable', 'invalid_image', 'The picture cannot be read: it is damaged or incomplete.');

/** Turns an uploaded file into the two square WebP pictures; throws a 4xx AppError for bad input. */
export async function processPicture(bytes: Buffer): Promise<Picture> {
  if (bytes.length > MAX_PICTURE_BYTES) throw tooLarge(`The picture is larger than ${MAX_PICTURE_BYTES} bytes.`);
  const format = sniffFormat(bytes);
  if (format === null) throw unsupported();
  // autoOrient applies the EXIF orientation before the metadata is dropped; pages: 1 takes the
  // first frame of an animation; failOn 'warning' refuses truncated files.
  const options: SharpOptions = { autoOrient: true, limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning', pages: 1, sequentialRead: true };
  // One input for the header check and the decode: the header is parsed once.
  const image = sharp(bytes, options);
  let metadata: Metadata;
  try {
    metadata = await image.metadata();
  } catch (error) {
    throw classify(error, format);
  }
  const heifCompression = (metadata as { compression?: string }).compression;
  const expected = format === 'avif' || format === 'heic' ? 'heif' : format;
  if (metadata.format !== expected) throw unsupported();
  if (format === 'avif' && heifCompression !== undefined && heifCompression !== 'av1') throw unsupported();
  if ((metadata.width ?? 0) * (metadata.height ?? 0) > MAX_INPUT_PIXELS) throw tooManyPixels();
  checkDecodingBudget(metadata);
  try {
    // Decoded once, to the large size's pixels; both sizes are encoded from those pixels at
    // once (two libuv threads), rather than encoding the large one and decoding it again.
    const square = await image
      .resize(LARGE_SIZE_PX, LARGE_SIZE_PX, { fit: 'cover', position: 'centre' })
      .toColourspace('srgb')
      .raw()
      .timeout({ seconds: PROCESSING_TIMEOUT_S })
      .toBuffer({ resolveWithObject: true });
    const pixels = { raw: { width: square.info.width, height: square.info.height, channels: square.info.channels } } as const;
    const [large, small] = await Promise.all([
      sharp(square.data, pixels).webp({ quality: WEBP_QUALITY }).toBuffer(),
      sharp(square.data, pixels).resize(SMALL_SIZE_PX, SMALL_SIZE_PX).webp({ quality: WEBP_QUALITY }).toBuffer(),
    ]);
    return { large, small };
  } catch (error) {
    throw classify(error, format);
  }
}

/** Bytes of one sample for each libvips band format. */
const BYTES_PER_SAMPLE: Readonly<Record<string, number>> = {
  uchar: 1,
  char: 1,
  ushort: 2,
  short: 2,
  uint: 4,
  int: 4,
  float: 4,
  double: 8,
  complex: 8,
  dpcomplex: 16,
};

/** What decoding the input would take, from its header; throws before any of it is spent. */
export function checkDecodingBudget(metadata: Pick<Metadata, 'width' | 'height' | 'channels' | 'depth' | 'isProgressive'>): void {
  const bytesPerSample = BYTES_PER_SAMPLE[metadata.depth ?? ''] ?? 8;
  const decodedBytes = (metadata.width ?? 0) * (metadata.height ?? 0) * (metadata.channels ?? 4) * bytesPerSample;
  const costly = metadata.isProgressive || bytesPerSample > 1;
  if (decodedBytes > (costly ? MAX_COSTLY_DECODED_BYTES : MAX_DECODED_BYTES)) throw costly ? tooCostly() : tooManyBytes();
}

function classify(error: unknown, format: PictureFormat): AppError {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return tooManyPixels();
  // A HEIC whose codec this libvips build lacks (HEVC is patent-encumbered and not bundled).
  if (format === 'heic' && /compression format|codec|unsupported|no decoder|is not in a known format|blocked/i.test(message)) return unsupported();
  if (/blocked|unsupported image format/i.test(message)) return unsupported();
  return invalid();
}
