// `npm start`: builds only when dist/ is missing or older than the sources, then runs the server
// in this same process (so systemd's or npm's signals reach it directly). A start on a built,
// unchanged tree therefore costs the server's own start-up, not a compile of every file.
//
//   node scripts/start.mjs [--env-file=FILE]     as npm start does
//   node scripts/start.mjs --build-only          builds if needed, does not start (npm run bench)
//   node scripts/start.mjs --check               exit status 0 when dist/ is up to date, 1 when not
//   node scripts/start.mjs --stamp               what `npm run build` runs last: marks dist/ complete
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Written after a build finished: a build that failed half-way leaves none, so the next start builds again. */
const STAMP = join(ROOT, 'dist', '.build-complete');
/** What the build reads: sources, pages, styles, and what decides how they compile. */
const SOURCES = ['server', 'scripts', 'public', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** The newest modification time under a file or folder, in ms. */
function newestMtimeMs(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, name)));
  return newest;
}

export function isBuildStale() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  return SOURCES.some((source) => existsSync(join(ROOT, source)) && newestMtimeMs(join(ROOT, source)) > built);
}

if (process.argv.includes('--stamp')) {
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
} else if (process.argv.includes('--check')) {
  process.exit(isBuildStale() ? 1 : 0);
} else {
  if (isBuildStale()) {
    process.stderr.write('porthello: dist/ is missing or older than the sources: building first\n');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  if (!process.argv.includes('--build-only')) await import('../dist/server/main.js');
}
