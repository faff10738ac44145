// The statistics page: each series as a table (the source, read by everyone and every screen
// reader) under a bar chart drawn here in SVG, hidden from assistive technology since it repeats
// the table. A withheld figure says so in the table and is a dashed outline in the chart.
import { CALL_OUTCOMES_COUNTED, type StatCell, type StatRow, type StatsView } from '../../../server/contract/stats.js';
import { api } from '../lib/api.js';
import { byId, el } from '../lib/dom.js';
import { type ClientMessageKey, t } from '../lib/messages.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Chart geometry in SVG units; the SVG scales to the card's width. */
const CHART_HEIGHT = 120;
const BAR_STEP = 20;
const BAR_WIDTH = 14;
/** The outline drawn for a withheld bucket, in SVG units. */
const WITHHELD_HEIGHT = 12;

const locale = document.documentElement.lang;
const numberFormat = new Intl.NumberFormat(locale);
const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
const dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** The bars of a series, tallest at full height; aria-hidden: the table below says the same. */
function barChart(rows: readonly StatRow[]): SVGSVGElement {
  const width = rows.length * BAR_STEP;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${CHART_HEIGHT}`,
    class: 'stat-chart',
    'aria-hidden': 'true',
    focusable: 'false',
    preserveAspectRatio: 'none',
  });
  const top = Math.max(1, ...rows.map((row) => row.value ?? 0));
  rows.forEach((row, index) => {
    const x = index * BAR_STEP + (BAR_STEP - BAR_WIDTH) / 2;
    if (row.suppressed) {
      chart.append(svg('rect', { x, y: CHART_HEIGHT - WITHHELD_HEIGHT, width: BAR_WIDTH, height: WITHHELD_HEIGHT - 1, class: 'stat-bar-withheld' }));
      return;
    }
    const height = (row.value / top) * (CHART_HEIGHT - 2);
    chart.append(svg('rect', { x, y: CHART_HEIGHT - height, width: BAR_WIDTH, height, class: 'stat-bar' }));
  });
  return chart;
}

/** A figure as a table cell shows it: the number, or "withheld" with the reason for screen readers. */
function cellText(cell: StatCell, format: (value: number) => string, minPeople: number): (Node | string)[] {
  if (!cell.suppressed) return [format(cell.value)];
  return [t('stats.suppressed'), el('span', { class: 'visually-hidden' }, ` — ${t('stats.suppressedLabel', { min: minPeople })}`)];
}

function table(
  labelledBy: string,
  headers: readonly string[],
  rows: readonly (readonly (Node | string)[][])[],
  withheld: readonly boolean[],
): HTMLTableElement {
  return el(
    'table',
    { class: 'stat-table', 'aria-labelledby': labelledBy },
    el('thead', {}, el('tr', {}, ...headers.map((header) => el('th', { scope: 'col' }, header)))),
    el(
      'tbody',
      {},
      ...rows.map(([head = [], ...cells], index) =>
        el('tr', withheld[index] === true ? { class: 'withheld' } : {}, el('th', { scope: 'row' }, ...head), ...cells.map((cell) => el('td', {}, ...cell))),
      ),
    ),
  );
}

function showSeries(container: HTMLElement, rows: readonly StatRow[], minPeople: number): void {
  const period: ClientMessageKey = container.dataset['period'] === 'week' ? 'stats.week' : 'stats.day';
  const value = `stats.${container.dataset['value'] ?? 'calls'}` as ClientMessageKey;
  const labelledBy = container.closest('section')?.getAttribute('aria-labelledby') ?? '';
  container.replaceChildren(
    barChart(rows),
    table(
      labelledBy,
      [t(period), t(value)],
      rows.map((row) => [[dayFormat.format(new Date(`${row.period}T00:00:00Z`))], cellText(row, (n) => numberFormat.format(n), minPeople)]),
      rows.map((row) => row.suppressed),
    ),
  );
}

function showStats(stats: StatsView): void {
  const min = stats.minPeople;
  byId('stats-generated').textContent = t('stats.generated', {
    date: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(stats.generatedAt)),
  });
  showSeries(byId('signups'), stats.signupsPerWeek, min);
  showSeries(byId('active-day'), stats.activePerDay, min);
  showSeries(byId('active-week'), stats.activePerWeek, min);
  showSeries(byId('calls-day'), stats.callsPerDay, min);
  const outcomes = CALL_OUTCOMES_COUNTED.map((outcome) => ({ outcome, cell: stats.outcomeShares[outcome] }));
  byId('outcomes').replaceChildren(
    table(
      'outcomes-title',
      [t('stats.outcome'), t('stats.share')],
      outcomes.map(({ outcome, cell }) => [[t(`stats.outcome.${outcome}`)], cellText(cell, (n) => percentFormat.format(n), min)]),
      outcomes.map(({ cell }) => cell.suppressed),
    ),
  );
  const median = stats.medianDurationS;
  byId('median').replaceChildren(
    ...(median === null
      ? [t('stats.noCalls')]
      : cellText(median, (seconds) => `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`, min)),
  );
  showPaths(stats.relayedShare, min);
}

/** Relayed against direct: the direct share is the complement, withheld with it. */
function showPaths(relayed: StatCell | null, min: number): void {
  if (relayed === null) {
    byId('path').replaceChildren(el('p', {}, t('stats.path.none')));
    return;
  }
  const direct: StatCell = relayed.suppressed ? relayed : { value: Number((1 - relayed.value).toFixed(3)), suppressed: false };
  const rows = [
    { label: t('stats.path.relayed'), cell: relayed },
    { label: t('stats.path.direct'), cell: direct },
  ];
  byId('path').replaceChildren(
    table(
      'path-title',
      [t('stats.path'), t('stats.share')],
      rows.map(({ label, cell }) => [[label], cellText(cell, (n) => percentFormat.format(n), min)]),
      rows.map(({ cell }) => cell.suppressed),
    ),
  );
}

api<StatsView>('GET', '/api/stats').then(showStats, (problem: unknown) => {
  byId('stats-generated').replaceChildren(el('span', { class: 'form-error', role: 'alert' }, t('generic')));
  console.warn('stats', problem);
});
