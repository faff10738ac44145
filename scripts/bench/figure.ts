// What a figure produces: for each repeat, our value and the baseline's measured in the same
// run; the ratio of the two is what is compared with the target, since absolute numbers on a
// shared 2-core box move with whatever else runs.
/** full: the sizes; quick: a few minutes on 2 cores; tiny: seconds, proves the plumbing. */
export type BenchMode = 'full' | 'quick' | 'tiny';

export type BenchOptions = {
  mode: BenchMode;
  repeats: number;
  /** --members=N,N and --seconds=S: the signaling sizes and load time instead of the mode's. */
  members: readonly number[] | null;
  seconds: number | null;
  /** Where --cpu-prof profiles of the server under test go (null: not profiled). */
  profileDir: string | null;
  log(line: string): void;
};

export type Row = {
  figure: string;
  baseline: string;
  /** The target, as the issue states it. */
  target: string;
  unit: string;
  ours: number[];
  base: number[];
  /** Whether the medians meet the target. */
  meets(ours: number, base: number): boolean;
  /** What limits this figure, and anything measured on the side (CPU, RSS, losses). */
  notes: string[];
};

export type Figure = { name: string; run(options: BenchOptions): Promise<Row[]> };

export function newRow(figure: string, baseline: string, target: string, unit: string, meets: Row['meets']): Row {
  return { figure, baseline, target, unit, ours: [], base: [], meets, notes: [] };
}

/** Targets of the form "ours ≤ k × baseline" (lower is better). */
export const atMost = (k: number) => (ours: number, base: number) => ours <= k * base;
/** Targets of the form "ours ≥ k × baseline" (higher is better). */
export const atLeast = (k: number) => (ours: number, base: number) => ours >= k * base;
