import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger, formatLine } from '../server/log.js';

const TIME = new Date('2026-11-28T10:00:00.000Z');
const lines = suite('log lines');

lines('hold time, level, category, message and fields on one line', () => {
  const line = formatLine(TIME, 'warn', 'turn', 'quota\nreached', { port: 3478, status: 'full up', code: undefined });
  assert.is(line, '2026-11-28T10:00:00.000Z warn  turn quota reached port=3478 status="full up"');
});

lines('never carry the value of a field that could hold a secret or a person', () => {
  const line = formatLine(TIME, 'info', 'auth', 'event', {
    email: 'a@example.org',
    password: 'hunter2hunter2',
    session_token: 'abc',
    sdp: 'v=0',
    candidate: 'candidate:1 1 udp',
    ip: '203.0.113.9',
    first_name: 'Ada',
    request_id: 'ok123',
  });
  assert.not.match(line, /example\.org|hunter2|abc|v=0|udp|203\.0\.113|Ada/);
  assert.match(line, /request_id=ok123/);
  assert.match(line, /email=\[redacted\]/);
});

lines('drop events under the configured level', () => {
  const written: string[] = [];
  const log = createLogger({ level: 'warn', write: (line) => written.push(line), now: () => TIME });
  log.debug('x', 'a');
  log.info('x', 'b');
  log.warn('x', 'c');
  log.error('x', 'd');
  assert.equal(
    written.map((line) => line.split(' ').at(-1)),
    ['c', 'd'],
  );
});

lines.run();
