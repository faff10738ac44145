// Reads the one file of a multipart/form-data upload (what a browser form sends) into memory,
// bounded: busboy stops at the size limit and we refuse with 413, before any decoding.
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { AppError, badRequest } from '../errors.js';
import { bodyTooLarge } from './body.js';

const invalidMultipart = (): AppError => badRequest('invalid_multipart', 'The upload is not valid multipart/form-data.');

const uploadInterrupted = (): AppError => badRequest('upload_interrupted', 'The upload stopped before its end; send the picture again.');

/** Room for the multipart boundaries and part headers around the file. */
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

export async function readSingleFile(req: IncomingMessage, field: string, maxBytes: number): Promise<Buffer> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) throw new AppError('unsupported', 'unsupported_media_type', 'Send the picture as multipart/form-data.');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) throw bodyTooLarge(maxBytes);
  // The client may have gone while the request waited on earlier middleware: 'close' is emitted
  // once, and a destroyed request's body cannot be read any more.
  if (req.destroyed) throw uploadInterrupted();

  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 4, fieldSize: 1024, parts: 5, headerPairs: 20 } });
  } catch {
    throw invalidMultipart();
  }
  return new Promise<Buffer>((resolve, reject) => {
    let file: Buffer | null = null;
    let failure: AppError | null = null;
    // A chunked body has no declared length: count it, and stop reading (closing the connection
    // after the answer) instead of draining an endless stream past the limit.
    let received = 0;
    const countBytes = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= maxBytes + MULTIPART_OVERHEAD_BYTES) return;
      req.off('data', countBytes);
      req.unpipe(parser);
      reject(bodyTooLarge(maxBytes));
    };
    req.on('data', countBytes);
    // A client that goes away mid-upload never ends the body: without this the handler would
    // wait forever, holding the part already received. Once the whole body is in, 'close' is
    // just the end of the request.
    const interrupted = (): void => {
      if (req.complete) return;
      req.off('data', countBytes);
      req.unpipe(parser);
      parser.destroy();
      reject(uploadInterrupted());
    };
    req.once('close', interrupted);
    parser.on('file', (name, stream) => {
      // busboy fails a file's stream too when the body ends inside it (a truncated upload): an
      // 'error' with no listener would throw out of the event loop and stop the server.
      stream.on('error', () => (failure ??= invalidMultipart()));
      if (name !== field || file !== null) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => (failure = bodyTooLarge(maxBytes)));
      stream.on('end', () => {
        if (failure === null) file = Buffer.concat(chunks);
      });
    });
    parser.on('error', () => reject(invalidMultipart()));
    parser.on('close', () => {
      req.off('data', countBytes);
      req.off('close', interrupted);
      if (failure !== null) reject(failure);
      else if (file === null || file.length === 0) reject(badRequest('invalid_fields', 'Choose a picture.', { [field]: 'required' }));
      else resolve(file);
    });
    req.pipe(parser);
  });
}
