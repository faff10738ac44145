import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonOf, startTestServer } from '../helpers/server.js';

const health = suite('GET /healthz');

health('answers 200 {"status":"ok"} when the database and the relay are up', async () => {
  const server = await startTestServer({ relay: { isListening: () => true } });
  try {
    const response = await server.fetch('/healthz');
    assert.is(response.status, 200);
    assert.equal(await jsonOf(response), { status: 'ok' });
    assert.is(response.headers.get('cache-control'), 'no-store');
  } finally {
    await server.close();
  }
});

health('names the relay when it is down', async () => {
  let listening = true;
  const server = await startTestServer({ relay: { isListening: () => listening } });
  try {
    listening = false;
    const response = await server.fetch('/healthz');
    assert.is(response.status, 503);
    assert.equal(await jsonOf(response), { status: 'unavailable', down: ['relay'] });
  } finally {
    await server.close();
  }
});

health('names the database when it cannot answer', async () => {
  const server = await startTestServer({ relay: null });
  try {
    server.db.close();
    const response = await server.fetch('/healthz');
    assert.is(response.status, 503);
    assert.equal(await jsonOf(response), { status: 'unavailable', down: ['database'] });
  } finally {
    await server.close();
  }
});

health.run();
