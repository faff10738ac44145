import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CONFIG_KEYS, ConfigError, loadConfig, parseEnvFile, type Env } from '../server/config.js';
import { projectPath } from '../server/paths.js';

const scratch = mkdtempSync(join(tmpdir(), 'porthello-config-'));
const withDataDir = (env: Env): Env => ({ PORTHELLO_DATA_DIR: join(scratch, 'data'), ...env });

function problemsOf(env: Env): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.unreachable('the configuration was accepted');
  return [];
}

const defaults = suite('loadConfig defaults');

defaults('runs on loopback with embedded defaults when nothing is set', () => {
  const config = loadConfig(withDataDir({}));
  assert.is(config.host, '127.0.0.1');
  assert.is(config.port, 8080);
  assert.is(config.publicOrigin, 'http://127.0.0.1:8080');
  assert.is(config.isHttps, false);
  assert.is(config.tls, null);
  assert.is(config.trustProxy, false);
  assert.is(config.logLevel, 'info');
  assert.equal(config.turn, {
    port: 3478,
    host: '127.0.0.1',
    externalIp: null,
    relayPortMin: 49152,
    relayPortMax: 49407,
    tlsPort: 5349,
    userQuota: 10,
    totalQuota: 200,
    addressQuota: 20,
    callReserve: 100,
    maxBytesPerSecond: 1250000,
    allowedPeers: [],
    external: null,
  });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.turn));
});

defaults('resolves the data directory and creates it', () => {
  const config = loadConfig({ PORTHELLO_DATA_DIR: join(scratch, 'nested', 'dir') });
  assert.is(config.dataDir, join(scratch, 'nested', 'dir'));
  assert.ok(statSync(config.dataDir).isDirectory());
});

defaults('keeps only the origin of the public URL and knows when it is HTTPS', () => {
  const config = loadConfig(withDataDir({ PORTHELLO_PUBLIC_URL: 'https://Call.Example.org/' }));
  assert.is(config.publicOrigin, 'https://call.example.org');
  assert.is(config.isHttps, true);
  assert.equal(config.pageOrigins, ['https://call.example.org'], 'a configured public URL is the only page origin');
});

defaults('takes a plain-HTTP redirect port and an ACME folder only with built-in TLS', () => {
  const refused = (env: Record<string, string>): string => {
    try {
      loadConfig(withDataDir(env));
    } catch (error) {
      return String(error);
    }
    return 'accepted';
  };
  assert.match(refused({ PORTHELLO_HTTP_REDIRECT_PORT: '80' }), /PORTHELLO_HTTP_REDIRECT_PORT: needs built-in TLS/);
  assert.match(refused({ PORTHELLO_ACME_CHALLENGE_DIR: scratch }), /PORTHELLO_ACME_CHALLENGE_DIR: is served by the redirect listener/);
  assert.is(loadConfig(withDataDir({})).httpRedirect, null);
});

defaults('accepts the loopback names of the same port for a local trial, and only then', () => {
  assert.equal(loadConfig(withDataDir({})).pageOrigins, ['http://127.0.0.1:8080', 'http://localhost:8080']);
  assert.equal(loadConfig(withDataDir({ PORTHELLO_HOST: '::1', PORTHELLO_PORT: '9000' })).pageOrigins, ['http://[::1]:9000', 'http://localhost:9000']);
  assert.equal(loadConfig(withDataDir({ PORTHELLO_HOST: '0.0.0.0' })).pageOrigins, ['http://0.0.0.0:8080']);
  assert.equal(loadConfig(withDataDir({ PORTHELLO_PUBLIC_URL: 'http://127.0.0.1:8080' })).pageOrigins, ['http://127.0.0.1:8080']);
});

defaults('turns the relay off with port 0', () => {
  assert.is(loadConfig(withDataDir({ PORTHELLO_TURN_PORT: '0' })).turn.port, 0);
});

defaults('reads booleans and log levels in any case', () => {
  const config = loadConfig(withDataDir({ PORTHELLO_TRUST_PROXY: 'Yes', PORTHELLO_LOG_LEVEL: 'DEBUG' }));
  assert.is(config.trustProxy, true);
  assert.is(config.logLevel, 'debug');
});

defaults.run();

const invalid = suite('loadConfig refusals');

invalid('names every bad key in one error', () => {
  const problems = problemsOf({
    PORTHELLO_PORT: '70000',
    PORTHELLO_PUBLIC_URL: 'not a url',
    PORTHELLO_TURN_RELAY_PORTS: '60000-50000',
    PORTHELLO_LOG_LEVEL: 'loud',
    PORTHELLO_TRUST_PROXY: 'maybe',
    PORTHELLO_HOST: 'example.org',
    PORTHELLO_TURN_EXTERNAL_IP: 'nat.example.org',
    PORTHELLO_DATA_DIR: join(scratch, 'data'),
  });
  const keys = problems.map((problem) => problem.split(':')[0]);
  assert.equal(keys.sort(), [
    'PORTHELLO_HOST',
    'PORTHELLO_LOG_LEVEL',
    'PORTHELLO_PORT',
    'PORTHELLO_PUBLIC_URL',
    'PORTHELLO_TRUST_PROXY',
    'PORTHELLO_TURN_EXTERNAL_IP',
    'PORTHELLO_TURN_RELAY_PORTS',
  ]);
  assert.ok(
    problems.some((problem) => problem.includes('"70000"')),
    'shows the bad value',
  );
});

invalid('refuses a public URL with a path, credentials or another scheme', () => {
  for (const url of ['https://example.org/calls', 'https://user:pw@example.org', 'ftp://example.org', 'https://example.org/?a=1']) {
    assert.equal(problemsOf(withDataDir({ PORTHELLO_PUBLIC_URL: url })).length, 1, url);
  }
});

invalid('refuses port 0 unless the public URL is set', () => {
  assert.match(problemsOf(withDataDir({ PORTHELLO_PORT: '0' }))[0] ?? '', /^PORTHELLO_PORT/);
  assert.is(loadConfig(withDataDir({ PORTHELLO_PORT: '0', PORTHELLO_PUBLIC_URL: 'http://127.0.0.1:9' })).port, 0);
});

invalid('refuses a relay range holding the relay port or below 1024', () => {
  assert.match(problemsOf(withDataDir({ PORTHELLO_TURN_PORT: '50000', PORTHELLO_TURN_RELAY_PORTS: '49152-50100' }))[0] ?? '', /TURN_RELAY_PORTS/);
  assert.match(problemsOf(withDataDir({ PORTHELLO_TURN_RELAY_PORTS: '80-1000' }))[0] ?? '', /TURN_RELAY_PORTS/);
});

invalid('reads the call limits and refuses them out of range', () => {
  const config = loadConfig(withDataDir({ PORTHELLO_RING_COOLDOWN_S: '0', PORTHELLO_CALL_LOG_REPEAT_MINUTES: '10', PORTHELLO_CALL_LOG_MAX_ENTRIES: '50' }));
  assert.equal(config.calls, { ringCooldownMs: 0, knockRefusedCooldownMs: 600_000, callLogRepeatWindowMs: 600_000, callLogMaxEntries: 50 });
  assert.equal(loadConfig(withDataDir({})).calls, {
    ringCooldownMs: 30_000,
    knockRefusedCooldownMs: 600_000,
    callLogRepeatWindowMs: 300_000,
    callLogMaxEntries: 1000,
  });
  assert.is(loadConfig(withDataDir({ PORTHELLO_KNOCK_COOLDOWN_S: '0' })).calls.knockRefusedCooldownMs, 0);
  assert.ok(problemsOf(withDataDir({ PORTHELLO_KNOCK_COOLDOWN_S: '86401' })).some((problem) => problem.includes('PORTHELLO_KNOCK_COOLDOWN_S')));
  const problems = problemsOf(withDataDir({ PORTHELLO_RING_COOLDOWN_S: '3601', PORTHELLO_CALL_LOG_REPEAT_MINUTES: '-1', PORTHELLO_CALL_LOG_MAX_ENTRIES: '9' }));
  assert.equal(
    problems.map((problem) => problem.split(':')[0]),
    ['PORTHELLO_RING_COOLDOWN_S', 'PORTHELLO_CALL_LOG_REPEAT_MINUTES', 'PORTHELLO_CALL_LOG_MAX_ENTRIES'],
  );
});

invalid('refuses a data directory that cannot be created', () => {
  const file = join(scratch, 'a-file');
  writeFileSync(file, 'x');
  const problems = problemsOf({ PORTHELLO_DATA_DIR: join(file, 'data') });
  assert.is(problems.length, 1);
  assert.match(problems[0] ?? '', /^PORTHELLO_DATA_DIR: cannot be created or written/);
});

invalid('asks for both TLS files when one is set', () => {
  const problems = problemsOf(withDataDir({ PORTHELLO_TLS_CERT: join(scratch, 'missing.pem') }));
  assert.equal(problems.map((problem) => problem.split(':')[0]).sort(), ['PORTHELLO_TLS_CERT', 'PORTHELLO_TLS_KEY']);
});

invalid.run();

const example = suite('config/porthello.env.example');

example('documents exactly the keys the code reads, each with its default', () => {
  const text = readFileSync(projectPath('config', 'porthello.env.example'), 'utf8');
  const documented = parseEnvFile(text.replace(/^#(PORTHELLO_)/gm, '$1'));
  assert.equal(Object.keys(documented).sort(), Object.keys(CONFIG_KEYS).sort());
  for (const [key, value] of Object.entries(CONFIG_KEYS)) assert.is(documented[key], value, key);
});

example('gives every key a comment above it', () => {
  const lines = readFileSync(projectPath('config', 'porthello.env.example'), 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (/^#?PORTHELLO_/.test(line) && !/^#?PORTHELLO_/.test(lines[index - 1] ?? '')) {
      assert.match(lines[index - 1] ?? '', /^# \S/, `comment above ${line}`);
    }
  });
});

example.run();

const envFile = suite('parseEnvFile');

envFile('reads systemd-style lines: comments, quotes, export, blanks', () => {
  const values = parseEnvFile('# comment\n\nPORTHELLO_PORT=9000\nexport PORTHELLO_HOST="0.0.0.0"\nPORTHELLO_LOG_LEVEL=\'warn\'\r\nnot a line\n');
  assert.equal(values, { PORTHELLO_PORT: '9000', PORTHELLO_HOST: '0.0.0.0', PORTHELLO_LOG_LEVEL: 'warn' });
});

envFile.after(() => rmSync(scratch, { recursive: true, force: true }));
envFile.run();
