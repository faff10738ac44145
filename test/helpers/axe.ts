// axe-core in a real page: its source (the devDependency, read from node_modules, so no request
// leaves the machine) is evaluated in the page through the driver, which the pages' strict CSP
// allows where a <script> tag would be refused; then axe.run checks the document as it stands.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts that fail a page: the bar. */
export const FAILING_IMPACTS: readonly string[] = ['serious', 'critical'];

export type AxeProblem = { rule: string; impact: string; help: string; targets: string[] };

// Code passed to the page runs there; this names its globals for the type checker.
declare const window: { axe?: { run(context: unknown, options: unknown): Promise<AxeResults> } };
declare const document: unknown;
type AxeResults = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };

/** The rules a change of colour scheme can change the outcome of: the rest see the same page. */
export const COLOUR_RULES: readonly string[] = ['color-contrast', 'link-in-text-block'];

/**
 * The violations of impact serious or critical on the page as it is now: every rule, or with
 * `colourOnly` the colour rules (a second theme of a page already checked whole; a full run takes
 * seconds on a busy machine).
 */
export async function seriousViolations(page: Page, options: { colourOnly?: boolean } = {}): Promise<AxeProblem[]> {
  if (!(await page.evaluate(() => window.axe !== undefined))) await page.evaluate(AXE_SOURCE);
  const runOptions = {
    resultTypes: ['violations'],
    // Off by default in axe (WCAG 2.2): touch targets matter on the phones Porthello is made for.
    rules: { 'target-size': { enabled: true } },
    ...(options.colourOnly === true ? { runOnly: { type: 'rule', values: COLOUR_RULES } } : {}),
  };
  const results = await page.evaluate((given) => window.axe?.run(document, given) ?? Promise.resolve({ violations: [] } as AxeResults), runOptions);
  return results.violations
    .filter((violation) => FAILING_IMPACTS.includes(violation.impact ?? ''))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.map(String).join(' ')),
    }));
}
