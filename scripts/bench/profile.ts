// The top entries of a V8 CPU profile (node --cpu-prof) by self time, as Markdown lines.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type CpuProfile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };

const TOP_ENTRIES = 8;

function where(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|dist)\//, '$1/').replace(/^node:/, 'node:')}:${lineNumber + 1}`;
  return `${functionName === '' ? '(anonymous)' : functionName}${file}`;
}

export function topEntries(profile: CpuProfile, count = TOP_ENTRIES): Array<{ name: string; share: number }> {
  const total = profile.samples.length;
  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits > 0) self.set(where(node), (self.get(where(node)) ?? 0) + hits);
  }
  return [...self.entries()]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => ({ name, share: hits / Math.max(1, total) }));
}

/** Self time per module (a package, a file of ours, Node's internals, native code), top first. */
export function topModules(profile: CpuProfile, count = TOP_ENTRIES): Array<{ name: string; share: number }> {
  const total = profile.samples.length;
  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    const { url, functionName } = node.callFrame;
    if (hits === 0 || functionName === '(idle)') continue;
    const module =
      url === ''
        ? 'native and V8 (GC, syscalls)'
        : url.startsWith('node:')
          ? 'node internals'
          : (/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url.replace(/^.*\/dist\//, ''));
    self.set(module, (self.get(module) ?? 0) + hits);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => ({ name, share: hits / Math.max(1, total) }));
}

/** One Markdown block per profile in the folder. */
export function summariseProfiles(dir: string): string[] {
  const lines: string[] = [];
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const idle = profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
    lines.push(
      `- \`${basename(file)}\` (${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, ${((1 - idle / Math.max(1, profile.samples.length)) * 100).toFixed(0)}% busy):`,
    );
    lines.push(
      `  - by module: ${topModules(profile)
        .map((entry) => `${entry.name} ${(entry.share * 100).toFixed(1)}%`)
        .join(', ')}`,
    );
    for (const entry of topEntries(profile)) lines.push(`  - ${(entry.share * 100).toFixed(1)}% ${entry.name}`);
  }
  return lines;
}
