// What a valid admin request looks like: the schemas of the bodies of /api/admin/....
import { emailField } from '../accounts/account-rules.js';
import { ROLES } from '../contract/api.js';
import { integerField, oneOfField, optional, schema } from '../http/schema.js';
import { DEFAULT_INVITATION_DAYS, MAX_INVITATION_DAYS, MAX_INVITATION_USES, type NewInvitation } from './invitation-service.js';

const parseInvitationBody = schema(
  {
    maxUses: optional(integerField(1, MAX_INVITATION_USES)),
    expiresInDays: optional(integerField(1, MAX_INVITATION_DAYS)),
    email: optional(emailField),
  },
  {
    closed: true,
    check: (input, problems) => {
      // One address makes one account: more uses would only be unusable ones.
      if (input.email !== undefined && (input.maxUses ?? 1) !== 1) problems['maxUses'] = 'one_with_email';
    },
  },
);

/** POST /api/admin/invitations: one use and DEFAULT_INVITATION_DAYS unless said otherwise. */
export function parseInvitation(body: unknown): NewInvitation {
  const input = parseInvitationBody(body);
  return { maxUses: input.maxUses ?? 1, expiresInDays: input.expiresInDays ?? DEFAULT_INVITATION_DAYS, email: input.email ?? null };
}

export const parseRoleChange = schema({ role: oneOfField(ROLES) }, { closed: true });
