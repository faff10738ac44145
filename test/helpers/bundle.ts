// Bundles a browser module for a test page, the way scripts/build-public.ts does for pages.
import { build } from 'esbuild';
import { projectPath } from '../../server/paths.js';

/** Bundles public/ts/<entry> into a script that sets window[globalName] to the module's exports. */
export async function bundleForPage(entry: string, globalName: string): Promise<string> {
  const result = await build({
    entryPoints: [projectPath('public', 'ts', entry)],
    bundle: true,
    write: false,
    format: 'iife',
    globalName,
    target: ['chrome120'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}
