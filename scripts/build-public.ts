// Builds the browser side into dist/public/assets: each public/ts/pages/<name>.ts becomes one
// bundle /assets/js/<name>.js (its imports, the shared protocol module included, inlined);
// styles and images are copied, and the app icon is rendered to the PNG sizes installed apps
// need. Browser code is type-checked first with public/tsconfig.json.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import sharp from 'sharp';
import { APP_ICON_PNG_SIZES } from '../server/http/manifest.js';
import { projectPath } from '../server/paths.js';

const PUBLIC_DIR = projectPath('public');
const PAGES_DIR = join(PUBLIC_DIR, 'ts', 'pages');
const OUT_DIR = projectPath('dist', 'public', 'assets');
/** The oldest browsers we promise: current Chromium, Firefox and Safari, on phones too. */
const BROWSER_TARGETS = ['chrome120', 'firefox121', 'safari17'];
/** The viewBox of public/img/icon.svg: the density is scaled from it so the PNGs are sharp. */
const ICON_SVG_SIZE_PX = 64;

async function main(): Promise<void> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  for (const dir of ['css', 'img', 'sounds']) {
    if (existsSync(join(PUBLIC_DIR, dir))) cpSync(join(PUBLIC_DIR, dir), join(OUT_DIR, dir), { recursive: true });
  }

  // Phones and desktops install from PNGs (iOS only takes a 180 px one); the SVG stays the favicon.
  const icon = join(PUBLIC_DIR, 'img', 'icon.svg');
  for (const size of APP_ICON_PNG_SIZES) {
    await sharp(icon, { density: Math.ceil((72 * size) / ICON_SVG_SIZE_PX) })
      .resize(size, size)
      .png()
      .toFile(join(OUT_DIR, 'img', `icon-${size}.png`));
  }

  const entries = existsSync(PAGES_DIR) ? readdirSync(PAGES_DIR).filter((name) => name.endsWith('.ts')) : [];
  if (entries.length === 0) return;

  const check = spawnSync(process.execPath, [projectPath('node_modules', 'typescript', 'bin', 'tsc'), '-p', PUBLIC_DIR], { stdio: 'inherit' });
  if (check.status !== 0) throw new Error('browser code does not type-check');

  await build({
    entryPoints: entries.map((name) => join(PAGES_DIR, name)),
    outdir: join(OUT_DIR, 'js'),
    bundle: true,
    format: 'esm',
    target: BROWSER_TARGETS,
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`build-public: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
