// Shared steps of the accounts suites: sign up a fresh member, read cookies, call the API.
import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import type { TestServer } from '../helpers/server.js';

/** bcrypt's floor: the suites that do not measure hashing stay fast. */
export const FAST_BCRYPT = { PORTHELLO_BCRYPT_COST: '4' } as const;

export type TestMember = { email: string; password: string; firstName: string; lastName: string; cookie: string; id: string };

export function uniqueEmail(): string {
  return `member-${randomBytes(6).toString('hex')}@example.org`;
}

/** "name=value" of the session cookie a response set, or null. */
export function sessionCookieOf(response: Response): string | null {
  const line = response.headers.getSetCookie().find((cookie) => /^(__Host-)?porthello_session=[^;]/.test(cookie));
  return line === undefined ? null : (line.split(';')[0] ?? null);
}

export function json(body: unknown, cookie?: string, method = 'POST'): RequestInit {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (cookie !== undefined) headers['Cookie'] = cookie;
  return { method, headers, body: JSON.stringify(body) };
}

export function withCookie(cookie: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string> | undefined), Cookie: cookie } };
}

export async function signUp(server: TestServer, overrides: Partial<Omit<TestMember, 'cookie' | 'id'>> = {}): Promise<TestMember> {
  const member = {
    email: uniqueEmail(),
    password: 'correct horse battery staple',
    firstName: `Ada${randomBytes(3).toString('hex')}`,
    lastName: `Lovelace${randomBytes(3).toString('hex')}`,
    ...overrides,
  };
  const response = await server.fetch('/api/auth/signup', json({ ...member, acceptPolicy: true }));
  const body = (await response.json()) as { id: string };
  assert.is(response.status, 201, JSON.stringify(body));
  const cookie = sessionCookieOf(response);
  assert.ok(cookie, 'sign-up sets the session cookie');
  return { ...member, cookie, id: body.id };
}

export async function logIn(server: TestServer, email: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return server.fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
}
