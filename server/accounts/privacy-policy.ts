// The privacy policy's versions. The text lives in the i18n catalogues (policy.* keys, French
// first); each version lists what changed so members see it. A new version: add it first here,
// with its change summary key, and members are asked to accept it again.
import type { MessageKey } from '../i18n/index.js';

/** `version`: the day it was published, with a suffix when a day saw two versions. */
export type PolicyVersion = Readonly<{ version: string; published: string; changes: MessageKey }>;

/** Newest first. */
export const PRIVACY_POLICY_HISTORY: readonly [PolicyVersion, ...PolicyVersion[]] = [
  { version: '2026-11-30.3', published: '2026-11-30', changes: 'policy.changes.v20261130_3' },
  { version: '2026-11-30.2', published: '2026-11-30', changes: 'policy.changes.v20261130_2' },
  { version: '2026-11-30', published: '2026-11-30', changes: 'policy.changes.v20261130' },
  { version: '2026-11-28', published: '2026-11-28', changes: 'policy.changes.v20261128' },
];

export const CURRENT_POLICY_VERSION: string = PRIVACY_POLICY_HISTORY[0].version;
