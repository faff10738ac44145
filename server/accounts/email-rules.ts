// The bodies of the e-mail routes: a reset request, a link's token, a new password from a link,
// the news preference. Same field rules as the rest of the accounts part.
import { booleanField, type FieldReader, schema, secretField } from '../http/schema.js';
import { normaliseEmail } from './account-rules.js';
import { passwordProblem } from './passwords.js';

/** Longer than any address we store (254) or token we issue (43): past this it is not one. */
const MAX_REQUEST_EMAIL_CODE_POINTS = 320;
const MAX_TOKEN_CODE_POINTS = 100;

/** Shape only: an address no account uses gets the same answer as one that does. */
const requestEmail: FieldReader<string> = (value, problems, key) => {
  if (typeof value !== 'string' || value.trim() === '') problems[key] = 'required';
  else if ([...value].length > MAX_REQUEST_EMAIL_CODE_POINTS) problems[key] = 'too_long';
  else if (!value.includes('@')) problems[key] = 'invalid';
  return typeof value === 'string' ? normaliseEmail(value) : '';
};

/** The sign-up rule for a new password (server/contract/passwords.ts). */
const newPassword: FieldReader<string> = (value, problems, key) => {
  const problem = passwordProblem(value);
  if (problem !== null) problems[key] = problem;
  return typeof value === 'string' ? value : '';
};

const token = secretField(MAX_TOKEN_CODE_POINTS);

export const parseResetRequest = schema({ email: requestEmail });
export const parsePasswordReset = schema({ token, password: newPassword });
export const parseLinkToken = schema({ token });
export const parseNewsPreference = schema({ newsEmails: booleanField }, { closed: true });
