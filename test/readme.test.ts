import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { settingsTable } from '../src/cli/config.ts';
import { settings } from '../src/server/config.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('README opens with the two commands of a fresh machine', () => {
  const head = readme.split('\n').slice(0, 8).join('\n');
  assert.match(head, /npm install && npm start/);
  assert.match(head, /npm test/);
});

test('README settings table is the one the code defines (regenerate with `kaifang config --markdown`)', () => {
  const m = /<!-- settings:start[^>]*-->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme);
  assert.ok(m, 'the settings markers are missing');
  assert.equal(m[1], settingsTable());
  for (const s of Object.values(settings)) assert.ok(readme.includes(`\`${s.env}\``), `${s.env} is not in the README`);
});
