// Profile pictures: a 12-megapixel JPEG to the stored sizes, 1 and 10 at once, through
// PUT /api/me/avatar, against sharp alone doing the same operations in its own process.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { benchScript, memoryOf, runJson } from './common.js';
import { atMost, newRow, type Figure } from './figure.js';
import { makeDataDir, ORIGIN, removeDataDir, signUpMembers, startPorthello } from './porthello.js';

const WIDTH_PX = 4000;
const HEIGHT_PX = 3000;
const BATCHES = { full: [1, 10], quick: [1, 10], tiny: [1, 2] } as const;

type LoadResult = { ms: number; peakRssMb: number };

/** A 12 MP photo-like JPEG (smooth noise, so it compresses as a photo does, ~2–4 MB). */
async function makePhoto(path: string): Promise<void> {
  const small = await sharp({
    create: { width: WIDTH_PX / 8, height: HEIGHT_PX / 8, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .png()
    .toBuffer();
  writeFileSync(path, await sharp(small).resize(WIDTH_PX, HEIGHT_PX, { kernel: 'cubic' }).jpeg({ quality: 90 }).toBuffer());
}

export const pictureFigure: Figure = {
  name: 'pictures',
  async run(options) {
    const dataDir = makeDataDir();
    const photo = join(dataDir, 'photo.jpg');
    const rows = BATCHES[options.mode].map((count) =>
      newRow(`profile picture, 12 MP JPEG → stored sizes, ${count} at once`, 'sharp alone, same operations', '≤ 1.2×', 'ms', atMost(1.2)),
    );
    try {
      await makePhoto(photo);
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        // --profile: the server's profile over the first repeat, both batch sizes.
        const nodeArgs =
          options.profileDir === null || repeat > 0 ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, '--cpu-prof-name=pictures.cpuprofile'];
        const server = await startPorthello(dataDir, {}, nodeArgs);
        try {
          for (const [index, count] of BATCHES[options.mode].entries()) {
            const row = rows[index];
            if (row === undefined) continue;
            const members = await signUpMembers(server.url, count, `picture-${repeat}-${count}`);
            const ours = await runJson<LoadResult>(benchScript('picture-load'), [
              'upload',
              server.url,
              photo,
              ORIGIN,
              ...members.map((member) => member.cookie),
            ]);
            const base = await runJson<LoadResult>(benchScript('picture-load'), ['sharp', photo, String(count)]);
            row.ours.push(ours.ms);
            row.base.push(base.ms);
            if (repeat === options.repeats - 1)
              row.notes.push(
                `peak RSS: server ${memoryOf(server.child.pid).peakRssMb.toFixed(0)} MB over the run, sharp alone ${base.peakRssMb.toFixed(0)} MB`,
              );
          }
        } finally {
          await server.stop();
        }
      }
    } finally {
      removeDataDir(dataDir);
    }
    return rows;
  },
};
