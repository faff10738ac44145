// The systemd unit a sysadmin installs: it must parse, and keep its sandbox tight.
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectPath } from '../server/paths.js';

const UNIT = projectPath('porthello.service');
/** systemd-analyze's exposure score ×10; below 2.0 is "OK" on its scale. */
const MAX_EXPOSURE_TIMES_TEN = 20;
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

const unit = suite('porthello.service');
const check = hasSystemdAnalyze ? unit : unit.skip;
if (!hasSystemdAnalyze) console.log('systemd-analyze is missing: apt-get install -y systemd');

check('passes systemd-analyze verify', () => {
  const result = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stderr.trim(), '', result.stderr);
});

check('keeps its exposure score in the OK range', () => {
  const result = spawnSync('systemd-analyze', ['security', '--offline=true', `--threshold=${MAX_EXPOSURE_TIMES_TEN}`, UNIT], { encoding: 'utf8' });
  assert.is(result.status, 0, result.stdout.split('\n').at(-2));
});

unit.run();
