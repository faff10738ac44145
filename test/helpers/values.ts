// Reading what a test expects to be there, failing with a message when it is not (rather than
// asserting it to the type checker).

/** The first element; the test fails when there is none. */
export function first<T>(items: readonly T[], what: string): T {
  const item = items[0];
  if (item === undefined) throw new Error(`expected at least one ${what}, got none`);
  return item;
}
