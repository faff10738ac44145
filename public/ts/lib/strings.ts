// Translated strings for browser code. The server renders the ones a page needs, in the
// visitor's language, into <script type="application/json" id="strings"> (data, not code, so
// the strict CSP allows it); this module reads them once.

let table: Readonly<Record<string, string>> | null = null;

function load(): Readonly<Record<string, string>> {
  if (table !== null) return table;
  const element = document.getElementById('strings');
  try {
    table = element?.textContent ? (JSON.parse(element.textContent) as Record<string, string>) : {};
  } catch {
    table = {};
  }
  return table;
}

/** The string for a key with {name} placeholders filled; the key itself when it is missing, so a gap shows. */
export function t(key: string, values: Readonly<Record<string, string | number>> = {}): string {
  const text = load()[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (all, name: string) => (name in values ? String(values[name]) : all));
}

/** The page's language, from <html lang>. */
export function pageLocale(): string {
  return document.documentElement.lang || 'fr';
}
