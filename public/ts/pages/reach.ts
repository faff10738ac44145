// /calls/reach, "who may ring me": do-not-disturb now, the weekly schedule in the member's time
// zone, and the list of blocked members and guests with Unblock. Blocking itself happens on the
// calls page, while someone rings or right after their call.
import { api, ApiError } from '../lib/api.js';
import { byId, el } from '../lib/dom.js';
import { formatDate, hasMessage, t } from '../lib/messages.js';
import type { BlockList, ReachView, Weekday } from '../../../server/contract/reach.js';

const dndBox = byId<HTMLInputElement>('dnd-now');
const knockBox = byId<HTMLInputElement>('knock-first');
const nowLine = byId('reach-now');
const scheduleForm = byId<HTMLFormElement>('schedule-form');
const zoneSelect = byId<HTMLSelectElement>('schedule-zone');
const startInput = byId<HTMLInputElement>('schedule-start');
const endInput = byId<HTMLInputElement>('schedule-end');
const dayBoxes = [...scheduleForm.querySelectorAll<HTMLInputElement>('input[name="day"]')];

/** The message for a failed request, in the page's language. */
function messageOf(problem: unknown): string {
  const code = problem instanceof ApiError ? problem.code : 'generic';
  return t(hasMessage(code) ? code : 'generic');
}

function showProblem(id: string, problem: unknown): void {
  const error = byId(id);
  error.textContent = messageOf(problem);
  error.hidden = false;
}

/** The browser's own zone, the one a member most likely lives in. */
const browserZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Every zone this browser knows (a few hundred), plus the saved one should it not know it. */
function fillZones(selected: string): void {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const all = [...new Set([selected, browserZone, ...zones])].filter((zone) => zone !== '').sort();
  zoneSelect.replaceChildren(...all.map((zone) => el('option', { value: zone, selected: zone === selected }, zone.replaceAll('_', ' '))));
}

function showReach(reach: ReachView): void {
  dndBox.checked = reach.dndNow;
  dndBox.disabled = false;
  knockBox.checked = reach.knockFirst;
  knockBox.disabled = false;
  nowLine.textContent = t(reach.quietNow ? 'reach.quietNow' : 'reach.ringsNow');
  nowLine.dataset['quiet'] = String(reach.quietNow);
  for (const box of dayBoxes) box.checked = reach.schedule.days.includes(box.value as Weekday);
  startInput.value = reach.schedule.start;
  endInput.value = reach.schedule.end;
  // A schedule never set up yet starts from the browser's zone rather than the service's default.
  fillZones(reach.schedule.days.length === 0 ? browserZone : reach.schedule.timeZone);
}

// The two switches save on change, each with its own status line.
for (const [box, field, part] of [
  [dndBox, 'dndNow', 'dnd'],
  [knockBox, 'knockFirst', 'knock'],
] as const) {
  box.addEventListener('change', () => {
    box.disabled = true;
    byId(`${part}-error`).hidden = true;
    byId(`${part}-status`).textContent = '';
    api<ReachView>('PATCH', '/api/me/reach', { [field]: box.checked })
      .then(
        (reach) => {
          showReach(reach);
          byId(`${part}-status`).textContent = t('saved');
        },
        (problem: unknown) => {
          box.checked = !box.checked;
          showProblem(`${part}-error`, problem);
        },
      )
      .finally(() => (box.disabled = false));
  });
}

scheduleForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const button = byId<HTMLButtonElement>('schedule-save');
  const zoneError = byId('schedule-zone-error');
  byId('schedule-error').hidden = true;
  zoneError.hidden = true;
  zoneSelect.removeAttribute('aria-invalid');
  byId('schedule-status').textContent = '';
  button.disabled = true;
  const schedule = {
    days: dayBoxes.filter((box) => box.checked).map((box) => box.value),
    start: startInput.value,
    end: endInput.value,
    timeZone: zoneSelect.value,
  };
  api<ReachView>('PATCH', '/api/me/reach', { schedule })
    .then(
      (reach) => {
        showReach(reach);
        byId('schedule-status').textContent = t('saved');
      },
      (problem: unknown) => {
        if (problem instanceof ApiError && problem.fields['schedule.timeZone'] !== undefined) {
          zoneError.textContent = t('unknown_time_zone');
          zoneError.hidden = false;
          zoneSelect.setAttribute('aria-invalid', 'true');
          zoneSelect.focus();
        } else showProblem('schedule-error', problem);
      },
    )
    .finally(() => (button.disabled = false));
});

// --- the block list ---------------------------------------------------------------------------

const blocksList = byId<HTMLUListElement>('blocks');

function showBlocks(list: BlockList): void {
  byId('blocks-empty').hidden = list.blocks.length > 0;
  blocksList.replaceChildren(
    ...list.blocks.map((block) => {
      const button = el(
        'button',
        { type: 'button', class: 'button small secondary', 'aria-label': t('reach.unblockLabel', { name: block.name }) },
        t('reach.unblock'),
      );
      button.addEventListener('click', () => unblock(block.id, block.name, button));
      return el(
        'li',
        { class: 'block-entry', 'data-block-kind': block.kind },
        el('span', { class: 'block-name' }, block.name),
        el('span', { class: 'hint' }, `${t(`reach.kind.${block.kind}`)} · ${t('reach.blockedOn', { date: formatDate(block.createdAt) })}`),
        button,
      );
    }),
  );
}

function unblock(id: number, name: string, button: HTMLButtonElement): void {
  button.disabled = true;
  byId('blocks-error').hidden = true;
  api<BlockList>('DELETE', `/api/me/blocks/${id}`).then(
    (list) => {
      showBlocks(list);
      byId('blocks-status').textContent = t('reach.unblocked', { name });
      byId('blocks-title').focus();
    },
    (problem: unknown) => {
      button.disabled = false;
      showProblem('blocks-error', problem);
    },
  );
}

// --- start --------------------------------------------------------------------------------------

const goToLogin = (problem: unknown): boolean => {
  if (problem instanceof ApiError && problem.status === 401) {
    window.location.assign('/login');
    return true;
  }
  return false;
};
api<ReachView>('GET', '/api/me/reach').then(showReach, (problem: unknown) => {
  if (!goToLogin(problem)) showProblem('dnd-error', problem);
});
api<BlockList>('GET', '/api/me/blocks').then(showBlocks, (problem: unknown) => {
  if (!goToLogin(problem)) showProblem('blocks-error', problem);
});
