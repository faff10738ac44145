// Who may sign up, from PORTHELLO_SIGNUP: anyone (`open`), addresses at some domains and anyone
// invited (`domains`), or only the invited (`invite`, the default).
import type { SignupGate } from '../accounts/signup-gate.js';
import type { AccessConfig } from '../config-access.js';
import { forbidden } from '../errors.js';
import type { InvitationService } from './invitation-service.js';

const NOTHING_TO_USE = (): void => {};

export function createAdmission(access: AccessConfig, invitations: Pick<InvitationService, 'admit'>): SignupGate {
  return {
    check(email, inviteCode) {
      if (access.signup === 'open') return NOTHING_TO_USE;
      // An address at a listed domain needs no invitation, and does not spend one it was sent.
      if (access.signup === 'domains' && access.signupDomains.includes(email.slice(email.lastIndexOf('@') + 1))) return NOTHING_TO_USE;
      if (inviteCode !== undefined) return invitations.admit(inviteCode, email);
      if (access.signup === 'domains')
        throw forbidden('signup_domain_refused', 'Sign-up is open to some e-mail domains only; other addresses need an invitation.');
      throw forbidden('invitation_required', 'Sign-up needs an invitation.');
    },
  };
}
