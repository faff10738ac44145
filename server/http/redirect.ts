// The plain-HTTP listener next to built-in TLS: it serves nothing of the service. Every request
// is sent to the same path on the public HTTPS URL (never to the Host it named: that would be an
// open redirect), except ACME HTTP-01 challenges, answered from a folder so a certificate can be
// renewed on this port.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from '../log.js';

const ACME_PREFIX = '/.well-known/acme-challenge/';
/** RFC 8555 §8.3: a token is base64url, at least 128 bits; no dots, no slashes, nothing to traverse with. */
const ACME_TOKEN = /^[A-Za-z0-9_-]{16,256}$/;
/** A challenge file holds token.thumbprint: a few hundred bytes. */
const MAX_CHALLENGE_BYTES = 1024;
/** Longer targets are not links anyone follows; they are cut back to the home page. */
const MAX_REDIRECT_TARGET_CHARS = 2048;
/** 308 keeps the method, so a stray POST is not turned into a GET. */
const REDIRECT_STATUS = 308;

export function createRedirectServer(options: Readonly<{ publicOrigin: string; acmeChallengeDir: string | null }>, log: Logger): Server {
  return createServer((request, response) => {
    answer(request, response, options).catch((error: unknown) => {
      // An unreadable challenge folder: say so, once per request, and keep serving.
      log.error('http', 'ACME challenge not readable', { code: (error as NodeJS.ErrnoException).code ?? 'error' });
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'The challenge cannot be read.\n');
      else response.destroy();
    });
  });
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  options: Readonly<{ publicOrigin: string; acmeChallengeDir: string | null }>,
): Promise<void> {
  const target = request.url ?? '/';
  if (options.acmeChallengeDir !== null && target.startsWith(ACME_PREFIX) && (request.method === 'GET' || request.method === 'HEAD')) {
    const token = target.slice(ACME_PREFIX.length);
    const body = ACME_TOKEN.test(token) ? await readChallenge(join(options.acmeChallengeDir, token)) : null;
    if (body === null) return send(response, 404, 'text/plain; charset=utf-8', 'No such challenge.\n');
    return send(response, 200, 'application/octet-stream', request.method === 'HEAD' ? '' : body);
  }
  const path = target.startsWith('/') && !target.startsWith('//') && target.length <= MAX_REDIRECT_TARGET_CHARS ? target : '/';
  response.setHeader('Location', options.publicOrigin + path);
  send(response, REDIRECT_STATUS, 'text/plain; charset=utf-8', `Moved to ${options.publicOrigin}\n`);
}

async function readChallenge(path: string): Promise<string | null> {
  try {
    const text = await readFile(path, 'utf8');
    return text.length <= MAX_CHALLENGE_BYTES ? text : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}
