// Upload bodies that stop early: a truncated multipart body and a client that goes away mid-upload.
// Each must end its request with nothing written, and leave the server and the member's bound
// of uploads as they were.
import { request as httpRequest, type ClientRequest } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AVATARS_DIR_NAME } from '../../server/accounts/picture-service.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { jpegWithGps, uploadForm } from '../media/images.js';
import { FAST_BCRYPT, signUp, withCookie, type TestMember } from './helpers.js';

const bodies = suite('picture uploads whose body stops early');
let server: TestServer;
bodies.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
bodies.after(() => server.close());

const BOUNDARY = 'porthello-test-boundary';
const pictureFiles = (): string[] => readdirSync(join(server.dataDir, AVATARS_DIR_NAME)).sort();
const partHead = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="avatar"; filename="me.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;

/** A PUT of the picture whose body the caller writes; `headers` adds to (or replaces) ours. */
function openUpload(member: TestMember, headers: Record<string, string | number>): ClientRequest {
  return httpRequest(`${server.url}/api/me/avatar`, {
    method: 'PUT',
    headers: { Cookie: member.cookie, Origin: server.origin, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
  });
}

bodies('refuses an upload that ends inside the file with 400 invalid_multipart, writes nothing and keeps serving', async () => {
  const member = await signUp(server);
  const before = pictureFiles();
  const photo = await jpegWithGps();
  // Chunked: the body ends cleanly, but in the middle of the file part, with no closing boundary.
  const answer = await withTimeout(
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = openUpload(member, {});
      request.on('error', reject);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      request.write(partHead);
      request.end(photo.subarray(0, Math.floor(photo.length / 2)));
    }),
    'the answer to a truncated upload',
  );
  assert.is(answer.status, 400);
  assert.is((JSON.parse(answer.body) as { error: { code: string } }).error.code, 'invalid_multipart');
  assert.equal(pictureFiles(), before);
  assert.is((await server.fetch('/healthz')).status, 200);
  const whole = await server.fetch('/api/me/avatar', withCookie(member.cookie, { method: 'PUT', body: uploadForm(photo) }));
  assert.is(whole.status, 200, 'the same picture sent whole');
});

bodies('ends the request of a client that disconnects mid-upload, writes nothing and keeps its uploads free', async () => {
  const member = await signUp(server);
  const before = pictureFiles();
  const photo = await jpegWithGps();
  const isAnswer = (line: string): boolean => line.includes('route=/api/me/avatar') && line.includes('method=PUT');
  const answersBefore = server.logs.filter(isAnswer).length;
  // 100-continue: once the server says go on, the request has reached the app; then half the
  // declared body, and the connection closes.
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      const request = openUpload(member, { 'Content-Length': partHead.length + photo.length, Expect: '100-continue' });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
      request.on('continue', () => {
        request.write(partHead);
        request.write(photo.subarray(0, Math.floor(photo.length / 2)), () => {
          request.destroy();
          resolve();
        });
      });
    }),
    'the half upload to be sent',
  );
  await waitUntil(() => server.logs.filter(isAnswer).length > answersBefore, 'the interrupted upload to be answered');
  const line = server.logs.filter(isAnswer).at(-1) ?? '';
  assert.ok(line.includes('status=400'), line);
  assert.equal(pictureFiles(), before);
  // A member holds at most two uploads at once: the interrupted one holds none of them.
  const statuses = await Promise.all(
    [0, 1].map(async () => (await server.fetch('/api/me/avatar', withCookie(member.cookie, { method: 'PUT', body: uploadForm(photo) }))).status),
  );
  assert.equal(statuses, [200, 200]);
});

bodies.run();
