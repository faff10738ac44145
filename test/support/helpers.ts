// Shared steps of the support suites: a contact-form message, its reference, and the staff
// and member calls on a conversation.
import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import type { SupportConversationView } from '../../server/contract/support.js';
import { json, uniqueEmail } from '../accounts/helpers.js';
import type { TestServer } from '../helpers/server.js';

/** The reference format: two groups of four unambiguous letters and digits. */
export const REFERENCE_PATTERN = /^[A-HJKMNP-TV-Z2-9]{4}-[A-HJKMNP-TV-Z2-9]{4}$/;

export function contactBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: uniqueEmail(),
    name: 'Ada Prospect',
    subject: `Question ${randomBytes(3).toString('hex')}`,
    message: `Hello,\nhow do I install Porthello? ${randomBytes(6).toString('hex')}`,
    website: '',
    ...overrides,
  };
}

export function sendContact(server: TestServer, body: Record<string, unknown>, cookie?: string, headers: Record<string, string> = {}): Promise<Response> {
  const init = json(body, cookie);
  return server.fetch('/api/support/messages', { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } });
}

/** Sends a contact message (201 checked) and returns its reference. */
export async function contact(server: TestServer, body: Record<string, unknown> = contactBody(), cookie?: string): Promise<string> {
  const response = await sendContact(server, body, cookie);
  const answer = (await response.json()) as { reference: string };
  assert.is(response.status, 201, JSON.stringify(answer));
  assert.match(answer.reference, REFERENCE_PATTERN);
  return answer.reference;
}

/** A staff reply through the API (201 checked). */
export async function staffReply(server: TestServer, cookie: string, reference: string, message: string): Promise<SupportConversationView> {
  const response = await server.fetch(`/api/admin/support/conversations/${reference}/replies`, json({ message }, cookie));
  const view = (await response.json()) as SupportConversationView;
  assert.is(response.status, 201, JSON.stringify(view));
  return view;
}

export function conversationCount(server: TestServer): number {
  return server.db.prepare('SELECT count(*) FROM support_conversations').pluck().get() as number;
}
