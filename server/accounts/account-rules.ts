// What a valid sign-up, profile change or password change looks like. Each parser takes the raw
// JSON body and returns typed values, or throws one 400 naming every failing field with a
// stable reason code (the pages translate the codes).
import { MEMBER_NAME_MAX_CODE_POINTS, nameProblem, normaliseName } from '../contract/names.js';
import { badRequest } from '../errors.js';
import { passwordProblem } from './passwords.js';

/** RFC 5321's limit on a forward path. */
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;

type Fields = Record<string, string>;

/** Trims, lower-cases the domain (the local part is the receiving server's business). */
export function normaliseEmail(raw: string): string {
  const email = raw.trim();
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at) + email.slice(at).toLowerCase();
}

function readEmail(value: unknown, fields: Fields, key = 'email'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    fields[key] = 'required';
    return '';
  }
  const email = normaliseEmail(value);
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (email.length > MAX_EMAIL_LENGTH || local.length > MAX_LOCAL_PART_LENGTH) fields[key] = 'too_long';
  else if (at < 1 || !/^[^\s@]+$/.test(local) || !/^[^\s@.]+(\.[^\s@.]+)+$/.test(domain) || /\p{Cc}/u.test(email)) fields[key] = 'invalid';
  return email;
}

function readName(value: unknown, key: string, fields: Fields): string {
  const name = typeof value === 'string' ? normaliseName(value) : '';
  const problem = nameProblem(name, MEMBER_NAME_MAX_CODE_POINTS);
  if (problem !== null) fields[key] = problem;
  return name;
}

function readPassword(value: unknown, key: string, fields: Fields): string {
  const problem = passwordProblem(value);
  if (problem !== null) fields[key] = problem;
  return typeof value === 'string' ? value : '';
}

function objectOf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('invalid_body', 'Send a JSON object.');
  return body as Record<string, unknown>;
}

function check(fields: Fields): void {
  if (Object.keys(fields).length > 0) throw badRequest('invalid_fields', 'Some fields are invalid.', fields);
}

export type SignupInput = Readonly<{ email: string; password: string; firstName: string; lastName: string }>;

export function parseSignup(body: unknown): SignupInput {
  const input = objectOf(body);
  const fields: Fields = {};
  const email = readEmail(input['email'], fields);
  const password = readPassword(input['password'], 'password', fields);
  const firstName = readName(input['firstName'], 'firstName', fields);
  const lastName = readName(input['lastName'], 'lastName', fields);
  if (input['acceptPolicy'] !== true) fields['acceptPolicy'] = 'must_accept';
  check(fields);
  return { email, password, firstName, lastName };
}

export type LoginInput = Readonly<{ email: string; password: string }>;

/** Only shape is checked here: a log-in never says which of e-mail or password was wrong. */
export function parseLogin(body: unknown): LoginInput {
  const input = objectOf(body);
  const fields: Fields = {};
  if (typeof input['email'] !== 'string' || input['email'].trim() === '') fields['email'] = 'required';
  if (typeof input['password'] !== 'string' || input['password'] === '') fields['password'] = 'required';
  else if ([...input['password']].length > 1024) fields['password'] = 'too_long';
  check(fields);
  return { email: normaliseEmail(input['email'] as string), password: input['password'] as string };
}

export type ProfileChange = Readonly<{ firstName?: string; lastName?: string; email?: string; currentPassword?: string }>;

export function parseProfileChange(body: unknown): ProfileChange {
  const input = objectOf(body);
  const fields: Fields = {};
  const change: { firstName?: string; lastName?: string; email?: string; currentPassword?: string } = {};
  if (input['firstName'] !== undefined) change.firstName = readName(input['firstName'], 'firstName', fields);
  if (input['lastName'] !== undefined) change.lastName = readName(input['lastName'], 'lastName', fields);
  if (input['email'] !== undefined) {
    change.email = readEmail(input['email'], fields);
    if (typeof input['currentPassword'] !== 'string' || input['currentPassword'] === '') fields['currentPassword'] = 'required';
    else change.currentPassword = input['currentPassword'];
  }
  if (Object.keys(change).length === 0 && Object.keys(fields).length === 0) throw badRequest('nothing_to_change', 'Send firstName, lastName or email.');
  check(fields);
  return change;
}

export function parsePasswordChange(body: unknown): Readonly<{ currentPassword: string; newPassword: string }> {
  const input = objectOf(body);
  const fields: Fields = {};
  if (typeof input['currentPassword'] !== 'string' || input['currentPassword'] === '') fields['currentPassword'] = 'required';
  const newPassword = readPassword(input['newPassword'], 'newPassword', fields);
  check(fields);
  return { currentPassword: input['currentPassword'] as string, newPassword };
}

export function parsePasswordConfirmation(body: unknown): string {
  const input = objectOf(body);
  if (typeof input['password'] !== 'string' || input['password'] === '') throw badRequest('invalid_fields', 'Some fields are invalid.', { password: 'required' });
  return input['password'];
}
