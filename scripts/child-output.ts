// A child process's stdout and stderr kept as one text, with bounded waits for a line in it: what
// the test suites and the benchmarks both need from the processes they start.
import type { ChildProcess } from 'node:child_process';

/** How much of the output an error quotes: the end is where the cause is. */
const QUOTED_OUTPUT_CHARS = 2000;

export type WatchedOutput = {
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** The first match of the pattern in the output; rejects when the process exits without it or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
};

/** Starts keeping `child`'s output; `name` says whose output in errors. */
export function watchOutput(child: ChildProcess, name: string): WatchedOutput {
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const tail = (): string => output.slice(-QUOTED_OUTPUT_CHARS);

  return {
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const finish = (error: Error | null, match?: RegExpExecArray): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (match !== undefined) resolve(match);
          else reject(error ?? new Error(`no match for ${pattern}`));
        };
        const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} from ${name}:\n${tail()}`)), timeoutMs);
        const check = (): void => {
          const match = pattern.exec(output);
          if (match !== null) finish(null, match);
        };
        listeners.add(check);
        void exited.then(() => {
          const match = pattern.exec(output);
          if (match !== null) finish(null, match);
          else finish(new Error(`${name} exited before printing ${pattern}:\n${tail()}`));
        });
        check();
      });
    },
  };
}
