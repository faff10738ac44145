// Request ids name requests in the log (never a member or a session). They are random, so an id
// says nothing of when or in which order requests came. One call into the CSPRNG per request
// for 8 bytes cost more than the whole locale or Origin middleware: the bytes are drawn from a
// pool refilled once every REQUEST_IDS_PER_FILL requests instead.
import { randomBytes } from 'node:crypto';

export const REQUEST_ID_BYTES = 8;
/** 512 ids (4 KiB) per refill: the refill's cost spread thin, and little memory held. */
const REQUEST_IDS_PER_FILL = 512;

/** A source of request ids: 16 hex characters each, from its own pool. */
export function createRequestIds(): () => string {
  let pool = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + REQUEST_ID_BYTES > pool.length) {
      pool = randomBytes(REQUEST_ID_BYTES * REQUEST_IDS_PER_FILL);
      offset = 0;
    }
    const id = pool.toString('hex', offset, offset + REQUEST_ID_BYTES);
    offset += REQUEST_ID_BYTES;
    return id;
  };
}
