// Profile pictures on disk: DATA_DIR/avatars/NAME-512.webp and NAME-128.webp, where NAME is 128
// random bits (unguessable: the URL is the only key to a picture). A new picture gets a new name,
// so URLs can be cached forever; the previous files are deleted once the new name is committed.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UserStore } from './user-store.js';
import { unauthorized } from '../errors.js';
import { LARGE_SIZE_PX, processPicture, SMALL_SIZE_PX } from '../media/pictures.js';
import type { PictureFiles } from './account-service.js';
import { createFairLimiter, type FairLimiter } from '../limiter.js';

export const AVATARS_DIR_NAME = 'avatars';
export const AVATAR_URL_PREFIX = '/media/avatars/';
const AVATAR_ID_BYTES = 16;
/** The file names we ever serve: NAME-512.webp or NAME-128.webp. */
export const AVATAR_FILE_PATTERN = new RegExp(`^[A-Za-z0-9_-]{22}-(${LARGE_SIZE_PX}|${SMALL_SIZE_PX})\\.webp$`);
/**
 * Pictures decoded at once: one per core, each on one libvips thread (server/media/pictures.ts),
 * so a burst of uploads uses the box's cores as sharp alone would, instead of queueing behind a
 * single decode while the other cores idle; the decoded memory stays bounded by cores × the
 * decoding budget. Beyond the queue: 503. The queue is served one member at a time in turn, and
 * a member has at most two uploads in it (running or waiting; more get 429), so one member
 * uploading in a loop never fills it.
 */
export const PROCESSING_CONCURRENCY = Math.max(1, availableParallelism());
const PROCESSING_MAX_WAITING = 20;
const PROCESSING_MAX_PER_MEMBER = 2;

export type AvatarService = ReturnType<typeof createAvatarService>;

/** The bound on picture decoding the service uses unless given another. */
export function createPictureLimiter(): FairLimiter {
  return createFairLimiter(PROCESSING_CONCURRENCY, PROCESSING_MAX_WAITING, PROCESSING_MAX_PER_MEMBER);
}

export function createAvatarService(deps: { dataDir: string; users: UserStore; limiter?: FairLimiter; now?: () => number }) {
  const dir = join(deps.dataDir, AVATARS_DIR_NAME);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { users } = deps;
  const limiter = deps.limiter ?? createPictureLimiter();
  const now = deps.now ?? Date.now;
  const pathOf = (avatarId: string, size: number): string => join(dir, `${avatarId}-${size}.webp`);

  const files: PictureFiles = {
    urls: (avatarId) => ({ large: `${AVATAR_URL_PREFIX}${avatarId}-${LARGE_SIZE_PX}.webp`, small: `${AVATAR_URL_PREFIX}${avatarId}-${SMALL_SIZE_PX}.webp` }),
    async read(avatarId) {
      try {
        return await readFile(pathOf(avatarId, LARGE_SIZE_PX));
      } catch {
        return null;
      }
    },
    async remove(avatarId) {
      await Promise.all([rm(pathOf(avatarId, LARGE_SIZE_PX), { force: true }), rm(pathOf(avatarId, SMALL_SIZE_PX), { force: true })]);
    },
  };

  return {
    files,

    /** Processes and stores a new picture; nothing is written unless the image is good. */
    async replace(memberId: string, upload: Buffer): Promise<Readonly<{ large: string; small: string }>> {
      const picture = await limiter.run(memberId, () => processPicture(upload));
      const avatarId = randomBytes(AVATAR_ID_BYTES).toString('base64url');
      try {
        // 'wx': never overwrite; mode 0600: only the service reads pictures.
        await writeFile(pathOf(avatarId, LARGE_SIZE_PX), picture.large, { flag: 'wx', mode: 0o600 });
        await writeFile(pathOf(avatarId, SMALL_SIZE_PX), picture.small, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        await files.remove(avatarId);
        throw error;
      }
      // Read and swap with no await in between: two uploads at once cannot both keep the old name.
      const user = users.byId(memberId);
      if (user === undefined) {
        await files.remove(avatarId);
        throw unauthorized();
      }
      users.setAvatar(memberId, avatarId, new Date(now()).toISOString());
      if (user.avatarId !== null) await files.remove(user.avatarId);
      return files.urls(avatarId);
    },

    async remove(memberId: string): Promise<void> {
      const user = users.byId(memberId);
      if (user === undefined || user.avatarId === null) return;
      users.setAvatar(memberId, null, new Date(now()).toISOString());
      await files.remove(user.avatarId);
    },

    /** The bytes of a served file name, or null; the name must match AVATAR_FILE_PATTERN. */
    async serve(fileName: string): Promise<Buffer | null> {
      if (!AVATAR_FILE_PATTERN.test(fileName)) return null;
      try {
        return await readFile(join(dir, fileName));
      } catch {
        return null;
      }
    },
  };
}
