// Small pieces both call pages draw: a person's picture or initials, a duration in words,
// the sentence that says how a call ended, and the plain explanation of a camera problem.
import type { CallEnd } from './call/phone.js';
import { MediaError, type MediaProblem } from './call/media.js';
import { el } from './dom.js';
import { t } from './messages.js';

/** The picture when there is one, else the initials on a disc; decorative either way (the name is next to it). */
export function avatar(name: string, url: string | null, size: 'small' | 'large' = 'small'): HTMLElement {
  if (url !== null)
    return el('img', { class: `avatar avatar-${size}`, src: url, alt: '', width: size === 'small' ? '48' : '128', height: size === 'small' ? '48' : '128' });
  return el('span', { class: `avatar avatar-${size} avatar-initials`, 'aria-hidden': 'true' }, initials(name));
}

export function initials(name: string): string {
  const words = name
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const letters = words.length > 1 ? [words[0], words.at(-1)] : words;
  return letters.map((word) => [...(word ?? '')][0]?.toUpperCase() ?? '').join('') || '?';
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(totalS: number): string {
  const s = Math.max(0, Math.round(totalS));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (hours > 0) return t('calls.duration.hours', { hours, minutes: String(minutes).padStart(2, '0') });
  if (minutes > 0) return t('calls.duration.minutes', { minutes, seconds: String(seconds).padStart(2, '0') });
  return t('calls.duration.seconds', { seconds });
}

/** The sentence shown after a call; null when nothing needs saying (a call this page cancelled or declined). */
export function endMessage(end: CallEnd, fallbackName = ''): string | null {
  const name = end.peer?.displayName ?? fallbackName;
  if (end.reason === 'refused') return t(`calls.refused.${end.refusal ?? 'generic'}`, { name });
  // An invite that never reached the server reads as a lost connection.
  if (end.reason === 'unreachable') return t('calls.ended.network', { name });
  if (end.direction === 'incoming' && end.durationS === null) {
    switch (end.reason) {
      case 'cancelled':
      case 'no-answer':
      // Do-not-disturb switched on while it rang: a missed call, as if it had come in then.
      case 'unavailable':
        return t('calls.ended.missed', { name });
      case 'answered-elsewhere':
        return t('calls.ended.answered-elsewhere');
      case 'network':
        return null;
      default:
        return end.byMe ? null : t(`calls.ended.${end.reason}`, { name });
    }
  }
  if (end.byMe && end.reason === 'cancelled') return null;
  if (end.durationS !== null && (end.reason === 'hung-up' || end.reason === 'peer-gone' || end.reason === 'server-shutdown')) {
    const ended = end.reason === 'hung-up' ? t('calls.ended.hung-up', { name }) : t(`calls.ended.${end.reason}`, { name });
    return `${ended} ${t('calls.ended.duration', { duration: formatDuration(end.durationS) })}`;
  }
  return t(`calls.ended.${end.reason}`, { name });
}

/** Why the camera and microphone could not be opened, and what to do about it. */
export function mediaProblemMessage(error: unknown): string {
  const problem: MediaProblem = error instanceof MediaError ? error.problem : 'unknown';
  return t(`media.${problem}`);
}
