// GET /help: the user-facing help, one page for members, guests and visitors alike, rendered
// from HELP_SECTIONS in the visitor's language. It needs no script and no account.
import type Router from '@koa/router';
import type { AppState } from '../http/context.js';
import { showPage } from '../http/member-page.js';
import { escapeHtml, type PageRenderer } from '../http/pages.js';
import { createRouter } from '../http/router.js';
import { type Locale, type MessageKey, translate } from '../i18n/index.js';
import { HELP_SECTIONS, type HelpSection } from './help-sections.js';

function text(locale: Locale, key: MessageKey): string {
  return escapeHtml(translate(locale, key));
}

function sectionHtml(locale: Locale, section: HelpSection): string {
  const paragraphs = (keys: readonly MessageKey[] | undefined): string => (keys ?? []).map((key) => `<p>${text(locale, key)}</p>`).join('');
  const steps = section.steps === undefined ? '' : `<ol class="help-steps">${section.steps.map((key) => `<li>${text(locale, key)}</li>`).join('')}</ol>`;
  const id = escapeHtml(section.id);
  return `<section class="help-section card" id="${id}" aria-labelledby="${id}-title"><h2 id="${id}-title">${text(locale, section.title)}</h2>${paragraphs(section.intro)}${steps}${paragraphs(section.outro)}</section>`;
}

/** The table of contents and the sections, as HTML for the help template. */
export function helpPageVars(locale: Locale, sections: readonly HelpSection[] = HELP_SECTIONS): Record<string, string> {
  return {
    contents: sections.map((section) => `<li><a href="#${escapeHtml(section.id)}">${text(locale, section.title)}</a></li>`).join(''),
    sections: sections.map((section) => sectionHtml(locale, section)).join(''),
  };
}

export function helpRoutes(pages: PageRenderer): Router<AppState> {
  const router = createRouter();
  // The header says who is logged in: shown as any session-shaped page is, never cached.
  router.get('/help', (ctx) => showPage(pages, ctx, { name: 'help', title: 'help.title', vars: helpPageVars(ctx.state.locale) }));
  return router;
}
