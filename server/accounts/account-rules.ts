// What a valid sign-up, log-in, profile change or password change looks like: the schemas of
// their bodies. Each takes the raw JSON body and returns typed values, or throws one 400 naming
// every failing field with a stable reason code (the pages translate the codes).
import { hasHiddenCharacters, MEMBER_NAME_MAX_CODE_POINTS } from '../contract/names.js';
import { badRequest } from '../errors.js';
import { acceptedField, type FieldReader, nameField, optional, schema, secretField } from '../http/schema.js';
import { passwordProblem } from './passwords.js';

/** RFC 5321's limit on a forward path. */
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
/** A password typed to prove who one is; longer than any we accept, short enough to hash at once. */
const MAX_GIVEN_PASSWORD_CODE_POINTS = 1024;

/**
 * One spelling per address, so that one person has one account: Unicode NFKC (composed and
 * decomposed accents are one, full-width letters and "＠" are ASCII), lower case throughout and
 * trimmed. Lower-casing the local part is stricter than RFC 5321, but no mail provider gives
 * "Ada@" and "ada@" to two people, and a member types their address in any case.
 */
export function normaliseEmail(raw: string): string {
  return raw.normalize('NFKC').toLowerCase().normalize('NFKC').trim();
}

export const emailField: FieldReader<string> = (value, problems, key) => {
  if (typeof value !== 'string' || value.trim() === '') {
    problems[key] = 'required';
    return '';
  }
  const email = normaliseEmail(value);
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (email.length > MAX_EMAIL_LENGTH || local.length > MAX_LOCAL_PART_LENGTH) problems[key] = 'too_long';
  else if (at < 1 || !/^[^\s@]+$/.test(local) || !/^[^\s@.]+(\.[^\s@.]+)+$/.test(domain) || hasHiddenCharacters(email)) problems[key] = 'invalid';
  return email;
};

const memberName = nameField(MEMBER_NAME_MAX_CODE_POINTS);

const newPasswordField: FieldReader<string> = (value, problems, key) => {
  const problem = passwordProblem(value);
  if (problem !== null) problems[key] = problem;
  return typeof value === 'string' ? value : '';
};

/** Only shape is checked: a log-in never says which of e-mail or password was wrong. */
const loginEmail: FieldReader<string> = (value, problems, key) => {
  if (typeof value !== 'string' || value.trim() === '') problems[key] = 'required';
  return typeof value === 'string' ? normaliseEmail(value) : '';
};
const givenPassword = secretField(MAX_GIVEN_PASSWORD_CODE_POINTS);

/** Invitation codes are 24 characters; anything much longer is not one of ours. */
const MAX_INVITE_CODE_LENGTH = 64;

export const parseSignup = schema({
  email: emailField,
  password: newPasswordField,
  firstName: memberName,
  lastName: memberName,
  acceptPolicy: acceptedField,
  inviteCode: optional(secretField(MAX_INVITE_CODE_LENGTH)),
});
export type SignupInput = ReturnType<typeof parseSignup>;

export const parseLogin = schema({ email: loginEmail, password: givenPassword });
export type LoginInput = ReturnType<typeof parseLogin>;

/** A new e-mail address needs the current password: whoever holds a session must not take the account. */
export const parseProfileChange = schema(
  { firstName: optional(memberName), lastName: optional(memberName), email: optional(emailField), currentPassword: optional(givenPassword) },
  {
    check: (change, problems) => {
      if (change.email !== undefined && change.currentPassword === undefined) problems['currentPassword'] = 'required';
      if (change.firstName === undefined && change.lastName === undefined && change.email === undefined)
        throw badRequest('nothing_to_change', 'Send firstName, lastName or email.');
    },
  },
);
export type ProfileChange = ReturnType<typeof parseProfileChange>;

export const parsePasswordChange = schema({ currentPassword: givenPassword, newPassword: newPasswordField });

export const parsePasswordConfirmation = schema({ password: givenPassword });

export const parsePolicyAcceptance = schema({ acceptPolicy: acceptedField });
