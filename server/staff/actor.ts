// Who asks for a staff action: a logged-in member with their role, or the box's operator
// through the admin CLI (no account: `id` null, every capability, like root on the box).
import type { Role } from '../contract/api.js';

export type Actor = Readonly<{ id: string | null; role: Role }>;

export const CLI_ACTOR: Actor = Object.freeze({ id: null, role: 'admin' });
