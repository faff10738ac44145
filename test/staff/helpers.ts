// Shared steps of the staff suites: the first admin through the setup link, invitations through
// the admin API, members of each role.
import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import type { Role } from '../../server/contract/api.js';
import type { TestServer } from '../helpers/server.js';
import { json, sessionCookieOf, signUp, uniqueEmail, type TestMember } from '../accounts/helpers.js';

export const PASSWORD = 'correct horse battery staple';

export function newcomer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: uniqueEmail(),
    password: PASSWORD,
    firstName: `Grace${randomBytes(3).toString('hex')}`,
    lastName: 'Hopper',
    acceptPolicy: true,
    ...overrides,
  };
}

/** The first admin, made the way a fresh instance makes it: the one-time setup link. */
export async function firstAdmin(server: TestServer): Promise<TestMember> {
  const token = server.accounts.firstAdmin.issue();
  assert.ok(token, 'a fresh instance issues a setup token');
  const body = newcomer();
  const response = await server.fetch('/api/auth/setup', json({ ...body, token }));
  assert.is(response.status, 201, await response.clone().text());
  const profile = (await response.json()) as { id: string; role: string };
  assert.is(profile.role, 'admin');
  const cookie = sessionCookieOf(response);
  assert.ok(cookie);
  return { ...(body as Omit<TestMember, 'cookie' | 'id'>), cookie, id: profile.id };
}

/** POST /api/admin/invitations as this admin; returns the answer's body (status 201 checked). */
export async function invite(
  server: TestServer,
  admin: TestMember,
  body: Record<string, unknown> = {},
): Promise<{ code: string; url: string; invitation: { id: string } }> {
  const response = await server.fetch('/api/admin/invitations', json(body, admin.cookie));
  assert.is(response.status, 201, await response.clone().text());
  return (await response.json()) as { code: string; url: string; invitation: { id: string } };
}

export function signupWith(server: TestServer, body: Record<string, unknown>): Promise<Response> {
  return server.fetch('/api/auth/signup', json(body));
}

export async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

/** A member (signed up under open sign-up) given a role by the admin through the API. */
export async function memberWithRole(server: TestServer, admin: TestMember, role: Role): Promise<TestMember> {
  const member = await signUp(server);
  if (role !== 'member') {
    const response = await server.fetch(`/api/admin/accounts/${member.id}/role`, json({ role }, admin.cookie, 'PUT'));
    assert.is(response.status, 200, await response.clone().text());
  }
  return member;
}
